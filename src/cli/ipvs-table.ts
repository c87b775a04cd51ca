import { access } from 'node:fs/promises';
import type { IpvsTable } from '../lvs/index.js';

/** Where the kernel lists its IPVS table once ip_vs is loaded (one per network namespace). */
export const IPVS_PROC = '/proc/net/ip_vs';

export interface KernelTable {
  table: IpvsTable;
  /** Set when the kernel has no ip_vs and the table was taken as empty: says so, with why. */
  note: string | null;
}

/**
 * The kernel's IPVS table for `vipd ipvs plan`. A kernel without ip_vs (no /proc/net/ip_vs: the
 * module is not loaded, so no virtual service can exist) holds an empty table; the plan is made
 * against it and the note says so. Any other failed read (ip_vs loaded but the table unreadable:
 * not root, ipvsadm missing) is an error, never an empty table.
 */
export async function readKernelTable(read: () => Promise<IpvsTable>, procPath: string = IPVS_PROC): Promise<KernelTable> {
  try {
    return { table: await read(), note: null };
  } catch (e) {
    if (await present(procPath)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    return { table: [], note: `no ip_vs in this kernel (${procPath} is absent): planned against an empty IPVS table (${why})` };
  }
}

async function present(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}
