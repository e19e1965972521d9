"""Migration operations that let the database keep time semantics.

`ProtectRecordedAt("<model_name>")` installs a trigger refusing any UPDATE that changes the
model's `recorded_at` (PostgreSQL and SQLite), so system time stays what it was at insert even
through `QuerySet.update()` or raw SQL. Add it to the migration that creates the model:

    from decisioning.operations import ProtectRecordedAt

    operations = [migrations.CreateModel(name="Payment", ...), ProtectRecordedAt("payment")]

On SQLite, a later migration that rebuilds the table (adding a non-null column does) drops its
triggers: put `ProtectRecordedAt("<model_name>", reinstall=True)` before and after the change.
It (re)installs the trigger whichever way the migration runs, so the table keeps it forwards
and backwards (the tests that try to change `recorded_at` catch a missing trigger).
"""

from django.db import migrations

MESSAGE = "recorded_at is system time; it cannot change after insert"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION decisioning_keep_recorded_at() RETURNS trigger AS $$
BEGIN
    IF NEW.recorded_at IS DISTINCT FROM OLD.recorded_at THEN
        RAISE EXCEPTION '{MESSAGE} (table %%)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""


class ProtectRecordedAt(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, reinstall: bool = False):
        self.model_name = model_name
        self.reinstall = reinstall

    def state_forwards(self, app_label, state):
        pass

    def _trigger_name(self, table: str) -> str:
        return f"{table}_keep_recorded_at"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._install(to_state.apps.get_model(app_label, self.model_name), schema_editor)

    def _install(self, model, schema_editor):
        table = model._meta.db_table
        quote = schema_editor.quote_name
        trigger = quote(self._trigger_name(table))
        vendor = schema_editor.connection.vendor
        if self.reinstall:
            self._drop(table, schema_editor)
        if vendor == "postgresql":
            schema_editor.execute(POSTGRES_FUNCTION)
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {quote(table)} "
                "FOR EACH ROW EXECUTE FUNCTION decisioning_keep_recorded_at()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OF recorded_at ON {quote(table)} "
                "WHEN NEW.recorded_at IS NOT OLD.recorded_at "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self.reinstall:
            self._install(to_state.apps.get_model(app_label, self.model_name), schema_editor)
            return
        self._drop(
            from_state.apps.get_model(app_label, self.model_name)._meta.db_table, schema_editor
        )

    def _drop(self, table: str, schema_editor):
        trigger = schema_editor.quote_name(self._trigger_name(table))
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {trigger} ON {schema_editor.quote_name(table)}"
            )
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")

    def describe(self):
        verb = "Reinstall the trigger protecting" if self.reinstall else "Protect"
        return f"{verb} recorded_at of {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"protect_recorded_at_{self.model_name.lower()}"

    def deconstruct(self):
        return (
            self.__class__.__name__,
            [self.model_name],
            {"reinstall": True} if self.reinstall else {},
        )
