# The supervisor of one code_interpreter run (see sandbox/run.ts). On Linux it starts inside a bubblewrap
# sandbox (its own user, PID, network, IPC and mount namespaces; only /usr, the Python install and two
# tmpfs folders are visible), so nothing here is the boundary: this file only arranges the run in it.
#
#   stdin   one JSON line (limits, code size, input files), then the code's bytes, then each file's bytes
#   fd 1    the code's output (stdout and stderr together), read by the emulator with its output cap
#   fd 3    results for the emulator: a JSON line per file the code wrote (then its bytes), then "end"
#
# As PID 1 of the sandbox it mounts /mnt/data and /tmp (tmpfs capped in bytes and files) with the one
# capability bubblewrap leaves it, drops it, writes the input files, and forks the code's process. That
# child sets the limits (address space, CPU time, file size, open files) and a seccomp filter that refuses
# new processes and exec (threads are allowed), ptrace and new namespaces: so the memory limit covers
# everything the code can ever run. After the code ends (or is killed at the wall-clock limit) this sends
# back the regular files it finds, by name; the emulator trusts nothing in them but the bytes.
import base64
import json
import os
import signal
import sys

root = sys.argv[1]
mode = sys.argv[2]  # "seccomp" (inside bubblewrap) or "none" (opted out of the sandbox)
results = os.fdopen(3, "wb")
stdin = sys.stdin.buffer
header = json.loads(stdin.readline())
limits = header["limits"]
code = stdin.read(header["code_bytes"]).decode("utf-8", "replace")


def mount_folders():
    """The runner's one privileged step (CAP_SYS_ADMIN in the sandbox's own user namespace): /mnt/data
    and /tmp as tmpfs limited in bytes and in files; then every capability is dropped for good."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for folder, size in limits["folders"].items():
        options = f"size={max(size, 4096)},nr_inodes={limits['files']},mode=0755".encode()
        if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", 0x2 | 0x4, options) != 0:  # nosuid, nodev
            raise OSError(ctypes.get_errno(), f"could not mount {folder}")

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    if libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()) != 0:  # _LINUX_CAPABILITY_VERSION_3
        raise OSError(ctypes.get_errno(), "could not drop capabilities")
    status = open("/proc/self/status").read()
    if any(f"{kind}:\t0000000000000000" not in status for kind in ("CapEff", "CapPrm", "CapAmb")):
        raise OSError("capabilities are still held")


if mode == "seccomp":
    try:
        mount_folders()
    except BaseException as error:  # never run the code with a capability or without its quota
        os.write(1, f"sandbox setup failed: {error}\n".encode())
        sys.exit(70)
os.chdir(root)
os.environ.pop("PWD", None)  # bubblewrap's --chdir sets it; the code gets exactly PATH, HOME, TMPDIR, LANG


def write_input(name, size):
    """Input names come from the emulator's own store: plain relative paths, already checked there."""
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad input name {name!r}")
    if len(parts) > 1:
        os.makedirs(os.path.join(*parts[:-1]), exist_ok=True)
    with open(name, "wb") as out:
        left = size
        while left > 0:
            chunk = stdin.read(min(left, 1 << 20))
            if not chunk:
                raise EOFError("input ended early")
            out.write(chunk)
            left -= len(chunk)
    st = os.lstat(name)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


inputs = {os.fsencode(name): write_input(name, size) for name, size in header["files"]}
stdin.close()


def seccomp_filter():
    """A classic-BPF seccomp program: no fork/vfork/clone without CLONE_THREAD, no clone3 (libc then
    falls back to clone, so threads still work), no execve (the code's process stays this Python), no
    ptrace, process_vm_*, unshare, setns; and no memory outside the address-space limit and the two
    tmpfs (memfd, SysV shared memory), nor io_uring (a way around this very filter)."""
    import struct

    machine = os.uname().machine
    if machine == "x86_64":
        arch = 0xC000003E
        nr = {"clone": 56, "fork": 57, "vfork": 58, "clone3": 435, "ptrace": 101, "process_vm_readv": 310,
              "process_vm_writev": 311, "unshare": 272, "setns": 308, "execve": 59, "execveat": 322,
              "memfd_create": 319, "memfd_secret": 447, "shmget": 29, "io_uring_setup": 425}
    elif machine == "aarch64":
        arch = 0xC00000B7
        nr = {"clone": 220, "clone3": 435, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
              "unshare": 97, "setns": 268, "execve": 221, "execveat": 281,
              "memfd_create": 279, "memfd_secret": 447, "shmget": 194, "io_uring_setup": 425}
    else:
        raise OSError(f"no seccomp filter for {machine}")
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38
    unavailable = ("memfd_create", "memfd_secret", "shmget", "io_uring_setup")  # ENOSYS: as if not built in
    refused = [n for name, n in nr.items() if name not in ("clone", "clone3", *unavailable)]
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, kill), (ld, 0, 0, 0)]
    # x32 system calls on x86_64 (bit 30 set) are refused wholesale.
    prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]
    for n in [nr["clone3"], *(nr[name] for name in unavailable)]:
        prog += [(jeq, 0, 1, n), (ret, 0, 0, enosys)]
    for n in refused:
        prog += [(jeq, 0, 1, n), (ret, 0, 0, eperm)]
    prog += [(jeq, 1, 0, nr["clone"]), (ret, 0, 0, allow)]
    prog += [(ld, 0, 0, 16), (jset, 1, 0, 0x00010000), (ret, 0, 0, eperm), (ret, 0, 0, allow)]
    return b"".join(struct.pack("=HBBI", *op) for op in prog)


def lock_down():
    """In the code's process, before its first line: limits, then the seccomp filter (cannot be undone)."""
    import resource

    for limit, value in (
        (resource.RLIMIT_AS, limits["memory_bytes"]),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_FSIZE, limits["file_bytes"]),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, 256),  # each pipe or socket holds kernel memory the address space does not count
    ):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            if mode == "seccomp":
                raise
            # Unsandboxed on macOS, RLIMIT_AS is often refused: the limits that can be set still are.
    if mode != "seccomp":
        return
    import ctypes

    program = seccomp_filter()
    buffer = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if prctl(38, 1, None, 0, 0) != 0 or prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0:  # NO_NEW_PRIVS, SECCOMP
        raise OSError(ctypes.get_errno(), "the seccomp filter could not be installed")


def run_code():
    import traceback

    try:
        exec(compile(code, "<code>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException as error:
        report = traceback.TracebackException.from_exception(error)
        report.stack = traceback.StackSummary.from_list([f for f in report.stack if f.filename == "<code>"])
        print("".join(report.format()), end="", flush=True)
        why = refusal(error)
        if why:
            print(f"sandbox: {why}", flush=True)
        return 1
    return 0


def refusal(error):
    """Names what the sandbox refused, when the code's error is one of its refusals (the kernel's word)."""
    import errno
    import socket

    if mode != "seccomp":
        return None  # unsandboxed, an error is only the code's own
    seen = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, socket.gaierror) or (
            isinstance(error, OSError)
            and error.errno in (errno.ENETUNREACH, errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
        ):
            return "network access is off in the code interpreter"
        if isinstance(error, PermissionError) and error.filename is None:
            return "code in the code interpreter cannot start processes"
        error = getattr(error, "reason", None) or error.__cause__ or error.__context__
    return None


def child():
    os.close(3)
    os.dup2(1, 2)  # one ordered log: stderr goes where stdout goes
    try:
        lock_down()
    except BaseException as error:  # never run the code without its limits
        os.write(2, f"sandbox setup failed: {error}\n".encode())
        os._exit(70)
    status = run_code()
    sys.stdout.flush()
    os._exit(status if 0 <= status < 256 else 1)


timed_out = False
if mode == "seccomp":
    # Not dumpable: the code (same uid, no capabilities) cannot open this process's /proc/<pid>/mem or fds
    # and so cannot take over the one process here without the seccomp filter.
    import ctypes

    if ctypes.CDLL(None).prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        sys.exit("sandbox setup failed: the runner could not be made non-dumpable")
if hasattr(os, "fork"):
    pid = os.fork()
    if pid == 0:
        child()

    def stop(*_):
        global timed_out
        timed_out = True
        os.kill(pid, signal.SIGKILL)

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, limits["timeout_seconds"])
    _, wait_status = os.waitpid(pid, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    status = os.waitstatus_to_exitcode(wait_status)
else:  # Windows, opted out of the sandbox: the code runs in this process; the emulator enforces the time
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    status = run_code()
    sys.stdout.flush()


def send(record, payload=b""):
    results.write(json.dumps(record).encode() + b"\n" + payload)


def regular_files(folder, depth=0):
    """Regular files under folder (bytes paths), never following a link, at most 3 folders deep."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False) and depth < 3:
            yield from regular_files(entry.path, depth + 1)
        elif entry.is_file(follow_symlinks=False):
            yield entry.path


budget = limits["collect_bytes"]
sent = 0
for path in regular_files(b"."):
    name = path[2:]
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        continue
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not (st.st_mode & 0o170000 == 0o100000) or inputs.get(name) == (st.st_size, st.st_mtime_ns, st.st_ino):
            continue
        if sent >= limits["collect_files"] or st.st_size > budget:
            send({"skipped": base64.b64encode(name).decode(), "bytes": st.st_size})
            continue
        content = f.read(st.st_size)
    budget -= len(content)
    sent += 1
    send({"file": base64.b64encode(name).decode(), "size": len(content)}, content)
send({"end": {"status": status, "timed_out": timed_out}})
results.close()
