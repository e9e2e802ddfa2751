# Runs before the code of every code_interpreter call (see sandbox/run.ts, which passes the code on stdin).
# It sets the process limits the kernel enforces (memory, CPU time, file size) and then installs an audit
# hook (PEP 578) that refuses opening files outside the container folder (the Python standard library
# stays readable), starting processes, loading native libraries and opening sockets.
# The limits are real; the audit hook is a GUARD, not a security boundary: code that finds a way around
# Python's audit events (a C extension, a bug) is not stopped by it. On Linux the network is also cut
# off by the kernel (a fresh network namespace, see run.ts); that part is a boundary.
import os
import sys

os.dup2(1, 2)  # one ordered log: stderr goes where stdout goes
folder = os.path.realpath(sys.argv[1])
memory_bytes, cpu_seconds, file_bytes = (int(x) for x in sys.argv[2:5])
code = sys.stdin.read()
sys.stdin.close()

try:
    import resource  # not on Windows: there, only the wall-clock and output limits apply

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
except ImportError:
    pass

import traceback  # noqa: E402  (imported before the hook, so its own file reads need no exception)

os.chdir(folder)
readable = {os.path.realpath(p) for p in [*sys.path, sys.prefix, sys.base_prefix, sys.exec_prefix] if p}
readable |= {"/usr/share/zoneinfo", "/dev/null", "/dev/urandom"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {
    "os.listdir": False, "os.scandir": False, "os.chdir": True, "os.mkdir": True, "os.rmdir": True,
    "os.remove": True, "os.rename": True, "os.replace": True, "os.truncate": True, "os.chmod": True,
    "os.chown": True, "os.utime": True, "os.symlink": True, "os.link": True, "shutil.rmtree": True,
}
PROCESS_EVENTS = {
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "pty.spawn", "os.startfile", "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function",
}
NETWORK_EVENTS = {
    "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr", "socket.sendto", "urllib.Request",
}


def within(path, roots):
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def check_path(raw, write):
    if raw is None or isinstance(raw, int):
        return  # an already open descriptor, or the current folder
    path = os.path.realpath(os.fsdecode(raw))
    if within(path, [folder]) or (not write and within(path, readable)):
        return
    how = "write" if write else "read"
    raise PermissionError(f"sandbox: code may not {how} {path}; only files in its container folder")


def guard(event, args):
    if event == "open":
        path, mode, flags = args
        write = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
        check_path(path, write)
    elif event in PATH_EVENTS:
        for arg in args[:2]:
            if isinstance(arg, (str, bytes, os.PathLike)):
                check_path(arg, PATH_EVENTS[event])
    elif event in NETWORK_EVENTS:
        raise PermissionError("sandbox: network access is off in the code interpreter")
    elif event in PROCESS_EVENTS:
        raise PermissionError(f"sandbox: {event} is not allowed in the code interpreter")


sys.addaudithook(guard)
del sys.argv[1:]
try:
    exec(compile(code, "<code>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
except SystemExit as stop:
    sys.exit(stop.code)
except BaseException as error:
    # The traceback of the code, without this file's frames (the exec above, the guard).
    report = traceback.TracebackException.from_exception(error)
    report.stack = traceback.StackSummary.from_list([f for f in report.stack if f.filename != __file__])
    print("".join(report.format()), end="")
    sys.exit(1)
