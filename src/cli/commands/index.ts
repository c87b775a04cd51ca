import type { CommandModule } from 'yargs';
import { checkConfigCommand } from './check-config.js';
import { confirmRemovalCommand } from './confirm-removal.js';
import { decodeCommand } from './decode.js';
import { probeCommand } from './probe.js';
import { statusCommand } from './status.js';
import { runCommand } from './run.js';
import { speakCommand } from './speak.js';
import { ipvsCommand } from './ipvs.js';
import { fleetCommand } from './fleet.js';
import { routerConfigCommand } from './router-config.js';
import { depoolCommand, drainCommand, overridesCommand, poolCommand, repoolCommand } from './overrides.js';

/** Every `vipd` subcommand; each lives in its own file in this folder. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  checkConfigCommand,
  decodeCommand,
  probeCommand,
  statusCommand,
  confirmRemovalCommand,
  depoolCommand,
  drainCommand,
  poolCommand,
  repoolCommand,
  overridesCommand,
  runCommand,
  speakCommand,
  ipvsCommand,
  fleetCommand,
  routerConfigCommand,
];
