"""What a run reports: the conformance summary and its verdict, Allure evidence, the
cluster's facts, and the statistics tools/bench/ and tools/soak/ read from JUnit files.
"""
