"""What a run reports: the conformance summary and its verdict, Allure evidence, the
cluster's facts, and the statistics bench/ and soak/ read from JUnit files.
"""
