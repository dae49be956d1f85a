// CPU time from /proc (Linux): PostgreSQL's processes together, and named processes, so a case can
// say where its CPU went per request. Elsewhere it reports nothing.
import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on Linux whatever the kernel's HZ.
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  at: number;
  postgres: number;
  named: Record<string, number>;
  /** The machine's busy and stolen seconds (summed over cores) from /proc/stat: steal is a neighbour's. */
  busy: number;
  steal: number;
}

function machineSeconds(): { busy: number; steal: number } {
  try {
    // cpu  user nice system idle iowait irq softirq steal …
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: (user + nice + system + irq + softirq) / TICKS_PER_SECOND, steal: steal / TICKS_PER_SECOND };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

function statOf(pid: string): { comm: string; seconds: number; reapedSeconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const fields = stat.slice(close + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      reapedSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

export function snapshotCpu(named: Record<string, number | undefined>): CpuSnapshot | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  let postgres = 0;
  for (const pid of pids) {
    const stat = statOf(pid);
    // With the children they reaped: a backend that exits between two snapshots (a closed connection)
    // takes its CPU time to the postmaster's cutime/cstime, not out of the sum.
    if (stat?.comm === 'postgres') postgres += stat.seconds + stat.reapedSeconds;
  }
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(named)) seconds[name] = pid === undefined ? 0 : (statOf(String(pid))?.seconds ?? 0);
  return { at: performance.now(), postgres, named: seconds, ...machineSeconds() };
}

/** Milliseconds of CPU per request between two snapshots: PostgreSQL, then each named process. */
export function cpuPerRequest(before: CpuSnapshot | null, after: CpuSnapshot | null, requests: number): string | null {
  if (!before || !after || requests === 0) return null;
  const ms = (seconds: number) => ((seconds * 1000) / requests).toFixed(2);
  const parts = [`PostgreSQL ${ms(after.postgres - before.postgres)}`];
  for (const name of Object.keys(after.named)) parts.push(`${name} ${ms((after.named[name] ?? 0) - (before.named[name] ?? 0))}`);
  const seconds = (after.at - before.at) / 1000;
  const cores = (value: number) => (value / seconds).toFixed(2);
  return `CPU ms per order: ${parts.join(', ')}; machine busy ${cores(after.busy - before.busy)} cores, stolen by the host ${cores(after.steal - before.steal)}`;
}
