"""What each behaviour must look like: the assertions of suites/, shared with controls/.

One module per behaviour. A broken behaviour raises CheckFailed (helpers/checks/failure.py): which
behaviour, which check, what was awaited and what was seen, so a negative control
(controls/) can tell that exactly the right check failed. A scenario that could not be set
up raises something else (a Pod that cannot start, a failed precondition).
"""
