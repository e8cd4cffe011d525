"""protocolc: compile councils' governance documents from a shared clause library.

The stages, one module each: load -> resolve -> render -> write. `protocolc.api` is the
entry point the command line and the tests share.
"""
