from django.apps import AppConfig


class TestAppDecisioningConfig(AppConfig):
    name = "tests.testapp_decisioning"
    label = "testapp_decisioning"
    default_auto_field = "django.db.models.BigAutoField"
