"""SOP-guided procedures: SOPs with tasks and steps, the sessions that follow them, safety
checks, completion and the supervisor's approval lock."""
