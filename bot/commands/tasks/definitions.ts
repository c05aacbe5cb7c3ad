import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandStringOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * What Discord is told about the task commands. Members: /tasks, /task create (a proposal when the server
 * allows them; admins create open tasks), /task submit|mine|abandon. Staff: /task-admin. Tasks are named
 * by id (#12) or exact name.
 */
const GUILD_ONLY = [0];
const taskOption = (description = 'The task’s id (#12) or name'): APIApplicationCommandStringOption => ({
  type: ApplicationCommandOptionType.String,
  name: 'task',
  description,
  required: true,
  max_length: 100,
});
const PROOF_CHOICES = [
  { name: 'text', value: 'text' },
  { name: 'image', value: 'image' },
  { name: 'link', value: 'link' },
];

export const tasksData = {
  name: 'tasks',
  description: 'The tasks you can claim here',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.String, name: 'category', description: 'Only this category', max_length: 50 }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const taskData = {
  name: 'task',
  description: 'Your tasks: submit proof, see or abandon them; admins create tasks',
  contexts: GUILD_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'create',
      description: 'Create a task (admins), or propose one when this server allows it',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'reward', description: 'What it pays', required: true, min_value: 0 },
        { type: ApplicationCommandOptionType.String, name: 'time', description: 'Time to finish once claimed: hours (24) or 90s, 30m, 12h, 3d (default 24h)', max_length: 20 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_claims', description: 'How many members may take it (default: unlimited)' },
        { type: ApplicationCommandOptionType.String, name: 'proof', description: 'What proof it needs (default text)', choices: PROOF_CHOICES },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role given with the reward' },
        { type: ApplicationCommandOptionType.String, name: 'open_for', description: 'Taking claims for: 7d, 12h … (default: until closed)', max_length: 20 },
        { type: ApplicationCommandOptionType.User, name: 'assign', description: 'Only this member may claim it' },
        { type: ApplicationCommandOptionType.String, name: 'asset', description: 'Paid in (default: the server currency)', choices: [{ name: 'currency', value: 'currency' }, { name: 'gems', value: 'gems' }] },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'submit',
      description: 'Send proof for a task you claimed',
      options: [
        taskOption(),
        { type: ApplicationCommandOptionType.String, name: 'proof', description: 'What you did (text or a link)', max_length: 2000 },
        { type: ApplicationCommandOptionType.Attachment, name: 'attachment', description: 'A screenshot or file' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'mine', description: 'Your claims and their deadlines' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'abandon', description: 'Give a claimed task back', options: [taskOption()] },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const taskAdminData = {
  name: 'task-admin',
  description: 'Edit, remove and review tasks; task settings and statistics',
  contexts: GUILD_ONLY,
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'edit',
      description: 'Change a task (only the options you give)',
      options: [
        taskOption(),
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'A new name', max_length: 100 },
        { type: ApplicationCommandOptionType.String, name: 'description', description: 'A new description', max_length: 2000 },
        { type: ApplicationCommandOptionType.Integer, name: 'reward', description: 'A new reward', min_value: 0 },
        { type: ApplicationCommandOptionType.String, name: 'category', description: 'A new category', max_length: 50 },
        { type: ApplicationCommandOptionType.String, name: 'time', description: 'Time to finish once claimed (24, 90s, 30m, 12h, 3d)', max_length: 20 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_claims', description: 'How many may take it (0 = unlimited)' },
        { type: ApplicationCommandOptionType.String, name: 'proof', description: 'What proof it needs', choices: PROOF_CHOICES },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role given with the reward' },
        { type: ApplicationCommandOptionType.Boolean, name: 'remove_role', description: 'Stop giving a role' },
        { type: ApplicationCommandOptionType.Boolean, name: 'open', description: 'Taking claims (true; also approves a proposal) or closed (false)' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'delete', description: 'Remove a task; its open claims are cancelled', options: [taskOption()] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Task channel, review channel, limits (no options: show them)',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'task_channel', description: 'Where tasks are posted', channel_types: [ChannelType.GuildText] },
        { type: ApplicationCommandOptionType.Channel, name: 'review_channel', description: 'Where proofs are reviewed', channel_types: [ChannelType.GuildText] },
        { type: ApplicationCommandOptionType.Integer, name: 'max_active', description: 'Open tasks one member may have at once' },
        { type: ApplicationCommandOptionType.Boolean, name: 'proposals', description: 'Members may propose tasks' },
        { type: ApplicationCommandOptionType.Boolean, name: 'auto_expire', description: 'Tasks stop taking claims at their end date' },
        { type: ApplicationCommandOptionType.String, name: 'reviewers', description: 'Who may review proofs', choices: [{ name: 'mod', value: 'mod' }, { name: 'admin', value: 'admin' }, { name: 'owner', value: 'owner' }] },
        { type: ApplicationCommandOptionType.String, name: 'revoke_window', description: 'How long an award can be revoked: 7d, 12h, 0', max_length: 20 },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'stats', description: 'Completed, expired, paid', options: [{ ...taskOption('Only this task'), required: false }] },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
