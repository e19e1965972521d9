"""The procedures' demo data: a confirmed SOP to run."""

from worklog.procedures import services
from worklog.procedures.models import SOP

DEMO_SOP_TITLE = "Machine lockout / tagout"
DEMO_SOP = [
    (
        "Prepare",
        [
            ("Notify everyone affected that the machine is going down.", "Operators informed"),
            ("Identify every energy source: electrical, pneumatic, hydraulic.", "Sources listed"),
        ],
    ),
    (
        "Isolate",
        [
            ("Switch the machine off at its controls.", "Machine stopped"),
            ("Open the main disconnect and fit your lock and tag.", "Lock and tag in place"),
            ("Bleed stored pressure from the lines.", "Gauges read zero"),
        ],
    ),
    (
        "Verify",
        [("Try to start the machine: nothing may move.", "No movement on start attempt")],
    ),
]


def load_procedure_demo(user) -> None:
    if SOP.all_objects.filter(title=DEMO_SOP_TITLE, created_by=user).exists():
        return
    sop = services.create_sop(
        user=user,
        title=DEMO_SOP_TITLE,
        description="Make a machine safe before maintenance.",
    )
    for task_title, steps in DEMO_SOP:
        task = services.add_task(sop=sop, user=user, title=task_title)
        for instruction, check in steps:
            services.add_step(
                task=task, user=user, instruction=instruction, check_description=check
            )
    services.confirm_sop(sop=sop, user=user)
