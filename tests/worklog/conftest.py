import pytest

from tests.testapp.models import Widget
from worklog import targets
from worklog.targets import TargetType, register_target_type


@pytest.fixture
def empty_target_registry(monkeypatch):
    """No target types registered (whatever the project's apps register), for one test."""
    monkeypatch.setattr(targets, "_registry", {})


@pytest.fixture
def widget_target_type(empty_target_registry):
    """Widgets as the only thing a user can time, for the length of one test."""
    target_type = TargetType(
        model=Widget,
        label="Widget",
        search_fields=("name",),
        visible_to=lambda user: Widget.objects.all(),
    )
    register_target_type(target_type)
    return target_type


@pytest.fixture
def widget(db):
    return Widget.objects.create(name="Quarterly report")


@pytest.fixture
def make_sop(db):
    """`make_sop(author, steps_per_task=(2, 1), confirmed=True)`: an SOP built through the
    services, with one task per entry of `steps_per_task`."""
    from worklog.procedures import services as procedures

    def make(author, *, title="Lockout procedure", steps_per_task=(2, 1), confirmed=True):
        sop = procedures.create_sop(user=author, title=title)
        for task_number, step_count in enumerate(steps_per_task, start=1):
            task = procedures.add_task(sop=sop, user=author, title=f"Task {task_number}")
            for step_number in range(1, step_count + 1):
                procedures.add_step(
                    task=task,
                    user=author,
                    instruction=f"Step {task_number}.{step_number}",
                    check_description=f"Check {task_number}.{step_number}",
                )
        if confirmed:
            sop = procedures.confirm_sop(sop=sop, user=author)
        return sop

    return make


@pytest.fixture
def sop(make_sop, user):
    """A confirmed SOP: task 1 with two steps, task 2 with one."""
    return make_sop(user)


@pytest.fixture
def supervisor(django_user_model):
    from tests.conftest import PASSWORD
    from worklog.procedures.services import ensure_supervisors_group

    supervisor = django_user_model.objects.create_user(username="sam", password=PASSWORD)
    supervisor.groups.add(ensure_supervisors_group())
    return supervisor
