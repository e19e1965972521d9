"""The worklog app is laid out by sub-domain: each reaches another only through public names."""

import ast
from pathlib import Path

import pytest

import worklog

WORKLOG = Path(worklog.__file__).parent
SUB_DOMAINS = ("timer", "procedures", "journal", "teams")


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from worklog... import name` and `import worklog...` in path."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("worklog"):
            found.extend((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "") for alias in node.names)
    return found


def _other_sub_domain(module: str, own: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "worklog" and parts[1] in SUB_DOMAINS and parts[1] != own:
        return parts[1]
    return None


@pytest.mark.parametrize("sub_domain", SUB_DOMAINS)
def test_a_sub_domain_uses_only_public_names_of_another(sub_domain):
    reaching_in = [
        f"{path.relative_to(WORKLOG)}: {module}.{name}"
        for path in (WORKLOG / sub_domain).rglob("*.py")
        for module, name in _imports(path)
        if _other_sub_domain(module, sub_domain)
        and (name.startswith("_") or any(part.startswith("_") for part in module.split(".")))
    ]
    assert reaching_in == []


@pytest.mark.parametrize("sub_domain", SUB_DOMAINS)
def test_each_sub_domain_says_in_two_lines_what_lives_there(sub_domain):
    docstring = ast.get_docstring(ast.parse((WORKLOG / sub_domain / "__init__.py").read_text()))
    assert docstring is not None
    assert len(docstring.splitlines()) == 2


def test_the_seed_import_paths_still_work():
    from worklog import WorkSession, services, start_session
    from worklog.exceptions import NoActiveSessionError, SessionLockedError
    from worklog.models import ProcedureSession, WorkLog
    from worklog.models import WorkSession as WorkSessionModel

    assert WorkSession is WorkSessionModel
    assert services.start_session is start_session
    assert WorkSession.__module__ == "worklog.timer.models"
    assert ProcedureSession._meta.app_label == WorkLog._meta.app_label == "worklog"
    assert NoActiveSessionError.__module__ == "worklog.timer.exceptions"
    assert SessionLockedError.__module__ == "worklog.procedures.exceptions"
