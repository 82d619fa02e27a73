import type { Command } from '../command.js';
import { keysGenerateCommand } from './keys-generate.js';
import { keysListCommand } from './keys-list.js';
import { keysShowCommand } from './keys-show.js';
import { suitDecodeCommand, suitVerifyCommand } from './suit.js';
import { upCommand } from './up.js';

/**
 * Every cairn command. Each lives in its own file under commands/; add one import and
 * one entry here (one line each, keep the list sorted by command path).
 */
export const COMMANDS: readonly Command[] = [
  keysGenerateCommand,
  keysListCommand,
  keysShowCommand,
  suitDecodeCommand,
  suitVerifyCommand,
  upCommand,
];
