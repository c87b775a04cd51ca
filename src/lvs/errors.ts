/** What went wrong, as a person (or the reconciler) can act on it. */
export type IpvsErrorKind =
  | 'no-such-destination' | 'no-such-service' | 'service-exists' | 'destination-exists'
  | 'bad-scheduler' | 'out-of-range' | 'invalid-argument' | 'usage' | 'no-ipvs'
  | 'not-installed' | 'timeout' | 'verify-failed' | 'unknown';

export interface IpvsProblem { readonly kind: IpvsErrorKind; readonly text: string }

export interface IpvsErrorDetails {
  readonly problems?: readonly IpvsProblem[];
  readonly exitCode?: number | null;
  /** The batch given to `ipvsadm -R`, when there was one. */
  readonly batch?: string;
}

export class IpvsError extends Error {
  readonly problems: readonly IpvsProblem[];
  constructor(readonly kind: IpvsErrorKind, message: string, readonly details: IpvsErrorDetails = {}) {
    super(message);
    this.name = 'IpvsError';
    this.problems = details.problems ?? [{ kind, text: message }];
  }
}

// ipvsadm 1.31 texts on Linux 6.1 (kernel errors rc 255, ipvsadm's own checks rc 2)
const TEXTS: [RegExp, IpvsErrorKind][] = [
  [/^No such destination/, 'no-such-destination'],
  [/^(No such service|Service not defined)/, 'no-such-service'],
  [/^Service already exists/, 'service-exists'],
  [/^Destination already exists/, 'destination-exists'],
  [/^Scheduler or persistence engine not found/, 'bad-scheduler'],
  [/^Numerical result out of range/, 'out-of-range'],
  [/^(illegal|invalid|Zero port|Memory allocation problem)/i, 'invalid-argument'],
  [/^Try `ipvsadm -h'/, 'usage'],
  [/(Can't initialize ipvs|Module ip_vs not found|Are you sure that IP Virtual Server)/, 'no-ipvs'],
];

export function classifyLine(text: string): IpvsErrorKind {
  for (const [re, kind] of TEXTS) if (re.test(text)) return kind;
  return 'unknown';
}

/** Every stderr line of one ipvsadm run, classified. */
export function problemsOf(stderr: string): IpvsProblem[] {
  return stderr.split('\n').map((l) => l.trim()).filter(Boolean).map((text) => ({ kind: classifyLine(text), text }));
}

/** The error for an ipvsadm run that printed to stderr or exited non-zero. */
export function ipvsadmError(what: string, stderr: string, exitCode: number | null, batch?: string): IpvsError {
  const problems = problemsOf(stderr);
  const first = problems.find((p) => p.kind !== 'unknown') ?? problems[0];
  const kind = problems.some((p) => p.kind === 'no-ipvs') ? 'no-ipvs' : first?.kind ?? 'unknown';
  const text = problems.length ? problems.map((p) => p.text).join('; ') : `exit status ${exitCode}`;
  return new IpvsError(kind, `${what} failed: ${text}`, { problems, exitCode, ...(batch !== undefined ? { batch } : {}) });
}
