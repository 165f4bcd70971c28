"""What each behaviour must look like: the assertions of suites/, shared with controls/.

One module per behaviour. Every failure message starts with the behaviour it found broken,
so a negative control (controls/) can tell that the right assertion failed.
"""
