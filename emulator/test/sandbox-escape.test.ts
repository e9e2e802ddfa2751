/**
 * The sandbox escape set (issue 12): hostile Python sent the way a user sends it (pasted into a request
 * through the real openai SDK), and what the host sees afterwards: the emulator's key and database, files
 * outside the container, other containers, processes, memory, disk, output, environment, network (only
 * listeners this test opens on 127.0.0.1), links and odd names. Each hostile snippet prints DONE at its
 * end, so a snippet that failed to run at all cannot pass. Skipped, saying so, where no boundary exists.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { AIProjectClient } from "@azure/ai-projects";
import type { Response } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxInfo } from "../src/sandbox/run.ts";
import { credential, type Lab, startLab, tempDir, trust } from "./support.ts";

const info = await sandboxInfo();
const contained = info.boundary === "bubblewrap";
if (!contained) console.warn(`sandbox escape set skipped: ${info.refused ?? "EMULATOR_CODE_SANDBOX=none"}`);

const TOKEN = randomBytes(8).toString("hex");
const MEMORY_MB = 256;
const DISK_MB = 16;
let lab: Lab;
let dataDir: string;
let outside: string;

beforeAll(async () => {
  process.env.EMULATOR_CODE_TIMEOUT_MS = "15000"; // roomy for a loaded machine; one test sets its own
  process.env.EMULATOR_CODE_MEMORY_MB = String(MEMORY_MB);
  process.env.EMULATOR_CODE_DISK_MB = String(DISK_MB);
  process.env.EMULATOR_CODE_MAX_OUTPUT_BYTES = "65536";
  process.env.LAB_ESCAPE_SECRET = `secret-${TOKEN}`;
  dataDir = tempDir();
  outside = tempDir();
  writeFileSync(path.join(outside, "secret.txt"), `outside-${TOKEN}`);
  lab = await startLab({ dataDir });
});
afterAll(async () => {
  await lab?.close();
  for (const dir of [dataDir, outside]) if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  response: Response;
  status: string | undefined;
  logs: string;
  text: string;
  containerId: string;
}

async function run(code: string, conversation?: string): Promise<Run> {
  const response = await lab.openai.responses.create(
    {
      model: "model-router",
      input: `Run this:\n\`\`\`python\n${code}\n\`\`\``,
      tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [] } }],
      include: ["code_interpreter_call.outputs"],
      ...(conversation ? { conversation } : {}),
    },
    { timeout: 60_000, maxRetries: 0 },
  );
  const call = response.output.find((i) => i.type === "code_interpreter_call");
  if (call?.type !== "code_interpreter_call") throw new Error("no code_interpreter_call");
  const output = call.outputs?.[0];
  const message = response.output.find((i) => i.type === "message");
  const part = message?.type === "message" ? message.content[0] : undefined;
  return {
    response,
    status: call.status,
    logs: output?.type === "logs" ? output.logs : "",
    text: part?.type === "output_text" ? part.text : "",
    containerId: call.container_id,
  };
}

async function containerFiles(containerId: string): Promise<{ id: string; path: string }[]> {
  const files = [];
  for await (const f of lab.openai.containers.files.list(containerId)) files.push({ id: f.id, path: f.path });
  return files;
}

/** Every process on this machine whose name holds `marker` (the code renames what it starts). */
function processesNamed(marker: string): string[] {
  return readdirSync("/proc").filter((pid) => {
    try {
      return /^\d+$/.test(pid) && readFileSync(`/proc/${pid}/comm`, "utf8").includes(marker);
    } catch {
      return false;
    }
  });
}

function sizeOf(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * What switched the old in-process guard off (issue 12): its globals, reached through __main__, cleared
 * and its path check replaced. Every hostile snippet starts with it, so each case also holds against a
 * guard that lives in the code's own interpreter.
 */
const DISARM = `
import sys
_main = vars(sys.modules["__main__"])
for _name, _value in list(_main.items()):
    if isinstance(_value, (set, dict)) and not _name.startswith("__"):
        try: _value.clear()
        except Exception: pass
if "within" in _main:
    _main["within"] = lambda path, roots: True
`;

/** Python that tries a route (a callable) and reports only that it got through. */
const TRY = `${DISARM}
import os, sys
def attempt(route, fn):
    try:
        got = fn()
        print("GOT", route, repr(got)[:120])
    except BaseException as e:
        print("no", route, type(e).__name__)
`;

describe.skipIf(!contained)("sandbox escape set: the emulator's own files", () => {
  it("cannot read the emulator's TLS key or database by any route", async () => {
    const key = path.join(dataDir, "emulator-key.pem");
    const db = path.join(dataDir, "emulator.db");
    const targets = JSON.stringify([key, db, path.join(outside, "secret.txt")]);
    const { logs } = await run(`${TRY}
import ctypes, io, mmap, pathlib, shutil
libc = ctypes.CDLL(None)
for target in ${targets}:
    attempt("open", lambda: open(target, "rb").read())
    attempt("os.open", lambda: os.read(os.open(target, os.O_RDONLY), 4096))
    attempt("dir_fd", lambda: os.read(os.open(target.lstrip("/"), os.O_RDONLY, dir_fd=os.open("/", os.O_RDONLY)), 4096))
    attempt("FileIO", lambda: io.FileIO(target).read())
    attempt("pathlib", lambda: pathlib.Path(target).read_bytes())
    attempt("climb", lambda: open("../" * 30 + target.lstrip("/"), "rb").read())
    attempt("/proc/self/root", lambda: open("/proc/self/root" + target, "rb").read())
    attempt("/proc/1/root", lambda: open("/proc/1/root" + target, "rb").read())
    attempt("/proc/1/cwd", lambda: open("/proc/1/cwd/" + os.path.basename(target), "rb").read())
    attempt("listdir", lambda: os.listdir(os.path.dirname(target)))
    attempt("copy", lambda: shutil.copy(target, "copied"))
    attempt("mmap", lambda: mmap.mmap(os.open(target, os.O_RDONLY), 0, prot=mmap.PROT_READ)[:64])
    attempt("libc open", lambda: os.read(libc.open(target.encode(), 0), 64) if libc.open(target.encode(), 0) >= 0 else 1 / 0)
    attempt("syscall openat", lambda: os.read(libc.syscall(257, -100, target.encode(), 0), 64) if libc.syscall(257, -100, target.encode(), 0) >= 0 else 1 / 0)
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).not.toContain("GOT");
    const keyLine = readFileSync(key, "utf8").split("\n")[1] ?? "unreadable";
    for (const secret of [keyLine, "PRIVATE KEY", "SQLite format 3", `outside-${TOKEN}`]) {
      expect(logs).not.toContain(secret);
    }
  });

  it("cannot write outside its container by any route, and the emulator's data folder is untouched", async () => {
    const before = readdirSync(dataDir).sort();
    const target = path.join(outside, "written");
    const { logs } = await run(`${TRY}
import shutil
target = ${JSON.stringify(target)}
open("mine.txt", "w").write("x")
attempt("open", lambda: open(target + "-open", "w").write("x"))
attempt("os.open", lambda: os.write(os.open(target + "-osopen", os.O_WRONLY | os.O_CREAT), b"x"))
attempt("dir_fd", lambda: os.write(os.open((target + "-dirfd").lstrip("/"), os.O_WRONLY | os.O_CREAT, dir_fd=os.open("/", os.O_RDONLY)), b"x"))
attempt("/proc/self/root", lambda: open("/proc/self/root" + target + "-proc", "w").write("x"))
attempt("rename", lambda: os.rename("mine.txt", target + "-renamed"))
attempt("copy", lambda: shutil.copy("mine.txt", target + "-copied"))
attempt("link", lambda: os.link(${JSON.stringify(path.join(outside, "secret.txt"))}, "hardlink"))
os.symlink(target + "-via-link", "link.txt")
attempt("through a link", lambda: open("link.txt", "w").write("x"))
attempt("data folder", lambda: open(${JSON.stringify(path.join(dataDir, "pwned"))}, "w").write("x"))
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).not.toContain("GOT");
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
    expect(readdirSync(dataDir).sort()).toEqual(before);
  });

  it("cannot see another container's files", async () => {
    const first = await run(`open("secret-${TOKEN}.txt", "w").write("mine-${TOKEN}")\nprint("DONE")`);
    expect(first.logs).toContain("DONE");
    const hostCopy = path.join(dataDir, "containers", first.containerId, `secret-${TOKEN}.txt`);
    expect(readFileSync(hostCopy, "utf8")).toBe(`mine-${TOKEN}`); // the file exists on the host
    const second = await run(`${TRY}
found = []
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in ("/proc", "/sys", "/usr", "/dev", sys.base_prefix)]
    found += [os.path.join(top, f) for f in files if "${TOKEN}" in f]
print("FOUND" if found else "nothing", len(found))
attempt("host path", lambda: open(${JSON.stringify(hostCopy)}).read())
print("DONE")`);
    expect(second.containerId).not.toBe(first.containerId);
    expect(second.logs).toContain("DONE");
    expect(second.logs).not.toMatch(/FOUND|GOT/);
    expect(second.logs).not.toContain(`mine-${TOKEN}`);
  });
});

describe.skipIf(!contained)("sandbox escape set: processes", () => {
  it("starts no process by any route (subprocess, os.*, pty, multiprocessing, ctypes, _posixsubprocess)", async () => {
    const { logs, containerId } = await run(`${TRY}
import ctypes, subprocess, pty, multiprocessing, concurrent.futures, _posixsubprocess
sh = ["/bin/sh", "-c", "echo ran > /mnt/data/ran-$0", ]
def child(route):
    open("/mnt/data/ran-" + route, "w").write("ran")
    os._exit(0)
def forked(route, make):
    pid = make()
    if pid == 0:
        child(route)
    return pid
libc = ctypes.CDLL(None)
attempt("subprocess.run", lambda: subprocess.run(sh + ["run"]))
attempt("Popen (fork_exec)", lambda: subprocess.Popen(sh + ["popen"]).wait())
attempt("os.system", lambda: os.system("echo ran > /mnt/data/ran-system"))
attempt("os.popen", lambda: os.popen("echo ran > /mnt/data/ran-osopen").read())
attempt("posix_spawn", lambda: os.waitpid(os.posix_spawn("/bin/sh", sh + ["spawn"], {}), 0))
attempt("spawnv", lambda: os.spawnv(os.P_WAIT, "/bin/sh", sh + ["spawnv"]))
attempt("fork", lambda: forked("fork", os.fork))
attempt("forkpty", lambda: forked("forkpty", lambda: os.forkpty()[0]))
attempt("pty.fork", lambda: forked("ptyfork", lambda: pty.fork()[0]))
attempt("libc fork", lambda: forked("libcfork", libc.fork))
attempt("syscall fork", lambda: forked("sysfork", lambda: libc.syscall(57)))
attempt("syscall clone", lambda: forked("sysclone", lambda: libc.syscall(56, 17, 0, 0, 0, 0)))
attempt("multiprocessing", lambda: multiprocessing.get_context("fork").Process(target=child, args=("mp",)).start())
attempt("process pool", lambda: concurrent.futures.ProcessPoolExecutor(1).submit(os.getpid).result(timeout=2))
attempt("exec", lambda: os.execv("/bin/sh", sh + ["exec"]))
print("DONE")`);
    expect(logs).toContain("DONE");
    // A process that had started would have left its file (libc.fork returns -1 rather than raising).
    expect((await containerFiles(containerId)).map((f) => f.path).filter((p) => p.includes("ran-"))).toEqual(
      [],
    );
    expect(logs).not.toMatch(
      /GOT (subprocess|Popen|posix_spawn|spawnv|fork |forkpty|pty\.fork|multiprocessing|process pool|exec)/,
    );
  });

  it("cannot take over the process that runs it (its memory, its descriptors, ptrace)", async () => {
    const { logs } = await run(`${TRY}
import ctypes
libc = ctypes.CDLL(None)
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]
for pid in others:
    attempt("mem " + pid, lambda: open(f"/proc/{pid}/mem", "r+b"))
    attempt("fd " + pid, lambda: [open(f"/proc/{pid}/fd/{fd}", "wb") for fd in ("1", "3")])
    attempt("ptrace " + pid, lambda: 1 / 0 if libc.ptrace(16, int(pid), 0, 0) != 0 else "attached")
print("others", len(others))
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).not.toContain("others 0"); // the runner is there to attack
    expect(logs).not.toContain("GOT");
  });

  it("leaves nothing running after a run (setsid, double fork), and one holding on past the wall clock is stopped", async () => {
    const marker = `esc${TOKEN.slice(0, 8)}`;
    process.env.EMULATOR_CODE_TIMEOUT_MS = "2000";
    const { status, text } = await run(`${DISARM}
import ctypes, os, signal, subprocess, time
libc = ctypes.CDLL(None)
def survive():
    os.setsid()
    open("/proc/self/comm", "w").write("${marker}")
    time.sleep(60)
for make in (os.fork, libc.fork):
    try:
        if make() == 0:
            survive()
    except OSError:
        pass
try:
    subprocess.Popen(["/bin/sleep", "60"], start_new_session=True)
except OSError:
    pass
signal.signal(signal.SIGTERM, signal.SIG_IGN)
open("/proc/self/comm", "w").write("${marker}")
print("DONE", flush=True)
while True:
    time.sleep(1)`).finally(() => {
      process.env.EMULATOR_CODE_TIMEOUT_MS = "15000";
    });
    expect(status).toBe("failed");
    expect(text).toContain("wall-clock limit");
    expect(processesNamed(marker)).toEqual([]);
  });

  it("keeps the memory of everything the code runs under one limit, with no process count to exhaust", async () => {
    const { logs } = await run(`${DISARM}
import os
started = 0
for _ in range(4):
    try:
        if os.fork() == 0:
            try:
                block = bytearray(200 * 1024 * 1024)
                print("ALLOC", 200, flush=True)
            finally:
                os._exit(0)
        started += 1
    except OSError:
        pass
for _ in range(200):
    try:
        if os.fork() == 0:
            os._exit(0)
        started += 1
    except OSError:
        break
print("STARTED", started)
try:
    block = bytearray(200 * 1024 * 1024)
    print("ALLOC", 200)
    more = bytearray(200 * 1024 * 1024)
    print("ALLOC", 200)
except MemoryError:
    print("refused more memory")
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).toContain("STARTED 0");
    const allocated = [...logs.matchAll(/ALLOC (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(allocated).toBeLessThanOrEqual(MEMORY_MB);
  });

  it.each(["SIGKILL", "SIGTERM"] as const)(
    "leaves no sandbox running when the emulator gets %s",
    async (signal) => {
      const emulatorData = tempDir();
      const marker = `${signal.slice(3, 6).toLowerCase()}${TOKEN.slice(0, 8)}`;
      const child: ChildProcess = spawn(
        process.execPath,
        [path.resolve(import.meta.dirname, "../src/main.ts")],
        {
          env: {
            ...process.env,
            EMULATOR_DATA_DIR: emulatorData,
            EMULATOR_PORT: String(await freePort()),
            EMULATOR_CODE_TIMEOUT_MS: "60000",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      try {
        let banner = "";
        child.stdout?.on("data", (chunk) => {
          banner += chunk;
        });
        await waitFor(() => /NODE_EXTRA_CA_CERTS=(.+)\n/.test(banner), "the emulator's banner");
        const endpoint = /FOUNDRY_PROJECT_ENDPOINT=(\S+)/.exec(banner)?.[1] ?? "";
        trust(readFileSync(/NODE_EXTRA_CA_CERTS=(.+)\n/.exec(banner)?.[1] ?? "", "utf8"));
        const openai = new AIProjectClient(endpoint, credential()).getOpenAIClient();
        const pending = openai.responses
          .create(
            {
              model: "model-router",
              input: `Run this:\n\`\`\`python\nimport time\nopen("/proc/self/comm", "w").write("${marker}")\ntime.sleep(60)\n\`\`\``,
              tools: [{ type: "code_interpreter", container: { type: "auto", file_ids: [] } }],
            },
            { maxRetries: 0 },
          )
          .then(
            () => "answered",
            () => "cut off",
          );
        await waitFor(() => processesNamed(marker).length > 0, "the code to start");
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill(signal);
        await exited;
        await pending; // answered (a failed call) or cut off; either way it ends
        await waitFor(() => processesNamed(marker).length === 0, "the sandbox to die with the emulator");
        expect(processesNamed(marker)).toEqual([]);
      } finally {
        child.kill("SIGKILL");
        rmSync(emulatorData, { recursive: true, force: true });
      }
    },
  );
});

describe.skipIf(!contained)("sandbox escape set: disk, output, environment, network", () => {
  it("stops a disk fill at the quota (bytes and files), in its folder and in /tmp, without the host's disk filling", async () => {
    const before = sizeOf(dataDir);
    const { logs } = await run(`${DISARM}
import os
chunk = b"x" * (1024 * 1024)
for folder in ("/mnt/data", "/tmp"):
    written = 0
    try:
        for i in range(1000):
            with open(os.path.join(folder, f"fill-{i}"), "wb") as f:
                f.write(chunk)
            written += 1
    except OSError as e:
        print(folder, "stopped", e.strerror)
    print(folder, "MB", written)
os.mkdir("many")
count = 0
try:
    while count < 1_000_000:
        os.close(os.open(f"many/{count}", os.O_CREAT | os.O_WRONLY))
        count += 1
except OSError as e:
    print("empty files stopped", e.strerror)
print("empty files", count)
print("DONE")`);
    expect(logs).toContain("DONE");
    for (const folder of ["/mnt/data", "/tmp"]) {
      expect(logs).toContain(`${folder} stopped No space left on device`);
      expect(Number(new RegExp(`${folder} MB (\\d+)`).exec(logs)?.[1])).toBeLessThanOrEqual(DISK_MB);
    }
    // Each empty file costs kernel memory no byte quota counts: the folders cap their number too.
    expect(logs).toContain("empty files stopped No space left on device");
    expect(Number(/empty files (\d+)/.exec(logs)?.[1])).toBeLessThanOrEqual(10_000);
    // What came back is at most the quota (the SQLite copy and the working copy).
    expect(sizeOf(dataDir) - before).toBeLessThanOrEqual(3 * DISK_MB * 1024 * 1024);
  });

  it("finds no other memory or disk to fill: /, /dev/shm, /opt, memfd, SysV shared memory, io_uring", async () => {
    const { logs } = await run(`${TRY}
import ctypes, mmap
libc = ctypes.CDLL(None, use_errno=True)
for folder in ("/", "/dev", "/dev/shm", "/opt", "/mnt", "/usr", "/proc"):
    attempt("write in " + folder, lambda: open(os.path.join(folder, "fill"), "wb").write(b"x" * 4096))
attempt("memfd", lambda: os.write(os.memfd_create("fill"), b"x" * 4096))
attempt("shmget", lambda: 1 / 0 if libc.shmget(0, 64 << 20, 0o1000 | 0o600) < 0 else "segment")
attempt("io_uring", lambda: 1 / 0 if libc.syscall(425, 8, ctypes.create_string_buffer(120)) < 0 else "ring")
attempt("anonymous map", lambda: mmap.mmap(-1, 1024 << 20))
attempt("many pipes", lambda: [os.pipe() for _ in range(1000)])
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).not.toContain("GOT");
  });

  it("stops an output flood on stdout or stderr at the cap", async () => {
    for (const code of ["import os\nwhile True:\n    os.write(2, b'y' * 65536)", "print('z' * 10_000_000)"]) {
      const { status, logs, text } = await run(code);
      expect(status).toBe("failed");
      expect(text).toContain("output cap");
      expect(logs.length).toBeLessThanOrEqual(65536 + 200); // the cap, then the line that says why
    }
  });

  it("sees nothing of the emulator's environment, in its own or any visible process's", async () => {
    // Set at run time (the code's own environment) and at start (the test process's PATH, in /proc).
    const started = (process.env.PATH ?? "")
      .split(":")
      .find((p) => !["/usr/local/bin", "/usr/bin", "/bin"].includes(p));
    const { logs } = await run(`${DISARM}
import os
print(sorted(os.environ))
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for what in ("environ", "cmdline"):
        try:
            data = open(f"/proc/{pid}/{what}", "rb").read()
            if b"${TOKEN}" in data or ${JSON.stringify(started ?? TOKEN)}.encode() in data:
                print("LEAK", pid, what)
        except OSError as e:
            pass
print("DONE")`);
    expect(logs).toContain("DONE");
    expect(logs).toContain("['HOME', 'LANG', 'PATH', 'TMPDIR']");
    expect(logs).not.toContain("LEAK");
  });

  it("reaches no listener on the host's 127.0.0.1 (TCP, UDP, a DNS query, an abstract Unix socket)", async () => {
    let tcp = 0;
    let udp = 0;
    let unix = 0;
    const tcpServer = net.createServer((s) => {
      tcp++;
      s.destroy();
    });
    await new Promise<void>((resolve) => tcpServer.listen(0, "127.0.0.1", resolve));
    const udpSocket = dgram.createSocket("udp4").on("message", () => udp++);
    await new Promise<void>((resolve) => udpSocket.bind(0, "127.0.0.1", resolve));
    const abstract = `\0lab-escape-${TOKEN}`;
    const unixServer = net.createServer((s) => {
      unix++;
      s.destroy();
    });
    await new Promise<void>((resolve) => unixServer.listen(abstract, resolve));
    const tcpPort = (tcpServer.address() as net.AddressInfo).port;
    const udpPort = udpSocket.address().port;
    try {
      const { logs } = await run(`${TRY}
import asyncio, ctypes, http.client, socket, struct, urllib.request, _socket
tcp, udp = ("127.0.0.1", ${tcpPort}), ("127.0.0.1", ${udpPort})
query = struct.pack(">HHHHHH", 1, 0x100, 1, 0, 0, 0) + b"\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01"
def udp_send(payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(payload, udp)
    return "sent (but to where?)"
attempt("create_connection", lambda: socket.create_connection(tcp, timeout=1))
attempt("localhost", lambda: socket.create_connection(("localhost", ${tcpPort}), timeout=1))
attempt("_socket", lambda: _socket.socket().connect(tcp))
attempt("urllib", lambda: urllib.request.urlopen(f"http://127.0.0.1:${tcpPort}/", timeout=1).read())
attempt("http.client", lambda: http.client.HTTPConnection(*tcp, timeout=1).request("GET", "/"))
attempt("asyncio", lambda: asyncio.run(asyncio.wait_for(asyncio.open_connection(*tcp), 1)))
attempt("udp", lambda: udp_send(b"hello"))
attempt("dns query", lambda: udp_send(query))
attempt("abstract unix", lambda: socket.socket(socket.AF_UNIX).connect("\\0lab-escape-${TOKEN}"))
attempt("getaddrinfo", lambda: socket.getaddrinfo("localhost", ${tcpPort}))
print("DONE")`);
      expect(logs).toContain("DONE");
      await new Promise((resolve) => setTimeout(resolve, 200)); // a datagram in flight would have landed
      expect({ tcp, udp, unix }).toEqual({ tcp: 0, udp: 0, unix: 0 });
      expect(logs).not.toMatch(
        /GOT (create_connection|localhost|_socket|urllib|http\.client|asyncio|abstract)/,
      );
    } finally {
      tcpServer.close();
      unixServer.close();
      udpSocket.close();
    }
  });
});

describe.skipIf(!contained)("sandbox escape set: links, names and paths", () => {
  it("never makes the emulator write through a link the code planted, on any later turn", async () => {
    const conversation = (await lab.openai.conversations.create()).id;
    const first = await run(
      `import os\nos.makedirs("sub", exist_ok=True)\nopen("report.txt", "w").write("original")\nopen("sub/data.txt", "w").write("nested")\nprint("DONE")`,
      conversation,
    );
    expect(first.logs).toContain("DONE");
    const planted = await run(
      `${DISARM}
import os, shutil
os.remove("report.txt")
shutil.rmtree("sub")
os.symlink(${JSON.stringify(path.join(outside, "pwned-file"))}, "report.txt")
os.symlink(${JSON.stringify(outside)}, "sub")
os.symlink("../../../../../../../../" + ${JSON.stringify(outside.slice(1))}, "climb")
print("DONE")`,
      conversation,
    );
    expect(planted.containerId).toBe(first.containerId);
    expect(planted.logs).toContain("DONE");
    const later = await run(
      `import os\nprint(open("report.txt").read(), open("sub/data.txt").read(), os.path.islink("report.txt"))\nprint("DONE")`,
      conversation,
    );
    expect(later.logs).toContain("original nested False");
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
  });

  it("handles any byte sequence in a file name, and every later turn of that container still works", async () => {
    const conversation = (await lab.openai.conversations.create()).id;
    const names = `[b"\\xff\\xfe-latin.txt", b"new\\nline.txt", b"tab\\there.txt", b"back\\\\slash.txt",
 "emoji-\\U0001F600.txt".encode(), b"  spaces  .txt", b"-dash.txt", b"x" * 250 + b".txt", b".hidden",
 b"colon:and%2e%2e.txt", b"\\x01control", b"dir\\xff"]`;
    const first = await run(
      `${DISARM}
import os
names = ${names}
for i, name in enumerate(names[:-1]):
    open(name, "wb").write(b"content %d" % i)
os.mkdir(names[-1])
open(names[-1] + b"/inner.txt", "wb").write(b"inner")
print("DONE")`,
      conversation,
    );
    expect(first.status).toBe("completed");
    const files = await containerFiles(first.containerId);
    expect(files.length).toBe(12);
    for (const file of files) {
      expect(file.path.startsWith("/mnt/data/")).toBe(true);
      expect([...file.path].filter((c) => c < " " || c === "\\" || c === "\ufffd")).toEqual([]);
      const content = await lab.openai.containers.files.content.retrieve(file.id, {
        container_id: first.containerId,
      });
      expect(Buffer.from(await content.arrayBuffer()).toString()).toMatch(/^(content \d+|inner)$/);
    }
    for (let turn = 0; turn < 2; turn++) {
      const later = await run(`import os\nprint(len(os.listdir(".")))\nprint("DONE")`, conversation);
      expect(later.status).toBe("completed");
      expect(later.containerId).toBe(first.containerId);
      expect(later.logs).toContain("12\nDONE");
    }
  });

  it("shows the code and the answer /mnt/data, never a host path", async () => {
    const { logs, text, containerId } = await run(`${DISARM}
import os
print(os.getcwd(), os.path.abspath("f"), os.environ["HOME"])
print(open("/proc/self/mountinfo").read())
open("missing.txt")`);
    expect(logs).toContain("/mnt/data /mnt/data/f /mnt/data");
    expect(logs).toMatch(/No such file or directory: 'missing.txt'/);
    for (const host of [dataDir, path.join(dataDir, "containers", containerId), outside]) {
      expect(logs).not.toContain(host);
      expect(text).not.toContain(host);
    }
  });
});

describe("where no boundary can be had", () => {
  it("refuses to run code with one sentence saying why, unless EMULATOR_CODE_SANDBOX=none", async () => {
    const names = ["PATH", "EMULATOR_PYTHON", "EMULATOR_CODE_SANDBOX"] as const;
    const saved = names.map((name) => process.env[name]);
    try {
      delete process.env.EMULATOR_CODE_SANDBOX; // CI without user namespaces sets it for the other tests
      process.env.EMULATOR_PYTHON = info.python ?? "python3";
      process.env.PATH = "/nonexistent"; // a Linux machine without bubblewrap
      const refused = await run("print('ran')");
      expect(refused.status).toBe("failed");
      expect(refused.logs).not.toContain("ran");
      expect(refused.text).toMatch(
        /^The code did not finish: it was not run: (on \w+ the emulator has no sandbox boundary|the emulator runs code only inside a bubblewrap sandbox, and none could start here \(bwrap is not installed\)).* set EMULATOR_CODE_SANDBOX=none to run code unsandboxed, as your own user\. It wrote no files\.$/,
      );
      process.env.EMULATOR_CODE_SANDBOX = "none";
      const opted = await run("print('ran')");
      expect(opted.status).toBe("completed");
      expect(opted.logs).toBe("ran\n");
    } finally {
      names.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
    }
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
