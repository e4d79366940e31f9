import type { Command } from '../command.ts';
import { acceptCommand } from './accept.ts';
import { addCommand } from './add.ts';
import { clearCommand } from './clear.ts';
import { doneCommand, reopenCommand } from './complete.ts';
import { editCommand } from './edit.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { invitesCommand } from './invites.ts';
import { leaveCommand } from './leave.ts';
import { listCommand } from './list.ts';
import { listsCommand } from './lists.ts';
import { loginCommand } from './login.ts';
import { logoutCommand } from './logout.ts';
import { lsCommand } from './ls.ts';
import { membersCommand } from './members.ts';
import { mvCommand } from './mv.ts';
import { passwdCommand } from './passwd.ts';
import { rmCommand } from './rm.ts';
import { shareCommand } from './share.ts';
import { showCommand } from './show.ts';
import { signupCommand } from './signup.ts';
import { watchCommand } from './watch.ts';
import { whoamiCommand } from './whoami.ts';

/** Every command, in the order `todo --help` lists them. */
export const COMMANDS: readonly Command[] = [
  signupCommand,
  loginCommand,
  logoutCommand,
  whoamiCommand,
  passwdCommand,
  addCommand,
  lsCommand,
  showCommand,
  editCommand,
  mvCommand,
  doneCommand,
  reopenCommand,
  rmCommand,
  clearCommand,
  listsCommand,
  listCommand,
  shareCommand,
  membersCommand,
  leaveCommand,
  invitesCommand,
  acceptCommand,
  exportCommand,
  importCommand,
  watchCommand,
];

/** The command a name (or an alias) stands for. */
export const findCommand = (name: string): Command | undefined =>
  COMMANDS.find((command) => command.name === name || command.aliases?.includes(name));
