import { ApplicationCommandOptionType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ORDER_STATUSES } from '../../../lib/flows/orders';

/** What Discord is told about the code shop's commands. */

export const orderData = {
  name: 'order',
  description: 'Order a package of codes (you confirm before paying)',
  contexts: [0],
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'package', description: 'How many codes: 1, 5, 10, 25 or 50', required: true }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ordersData = {
  name: 'orders',
  description: 'Code orders: view and process (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'view',
      description: 'Orders, newest first',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'status', description: 'Only orders in this state', choices: ORDER_STATUSES.map((s) => ({ name: s, value: s })) },
        { type: ApplicationCommandOptionType.User, name: 'user', description: 'Only this member’s orders' },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'process',
      description: 'Decide an order that needs an admin',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'id', description: 'The order id', required: true, max_length: 64 },
        {
          type: ApplicationCommandOptionType.String,
          name: 'action',
          description: 'What to do',
          required: true,
          choices: [
            { name: 'retry delivery', value: 'retry' },
            { name: 'complete (delivered another way)', value: 'complete' },
            { name: 'refund', value: 'refund' },
          ],
        },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** A member's own orders: a command of its own, since /orders is hidden from members (admins only). */
export const myordersData = {
  name: 'myorders',
  description: 'Your code orders, and their codes again by DM',
  contexts: [0],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Your code orders, newest first',
      options: [{ type: ApplicationCommandOptionType.Integer, name: 'page', description: 'Which page (from 1)', min_value: 1, max_value: 100_000 }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'redeliver',
      description: 'Send a completed order’s codes to you again by DM',
      options: [{ type: ApplicationCommandOptionType.String, name: 'id', description: 'The order id (see /myorders list)', required: true, max_length: 64 }],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const stockData = {
  name: 'stock',
  description: 'The code shop’s stock and packages (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Add codes, one per line (text or a .txt file)',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'codes', description: 'Codes, one per line (or separated by spaces)', max_length: 6000 },
        { type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'A .txt file with one code per line' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'view', description: 'How many codes are available, reserved and delivered' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Low-stock alert, waits for a top-up and for delivery, per-member limits',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'low_stock', description: 'Alert the admin log when available codes fall to this (0-100000)' },
        { type: ApplicationCommandOptionType.Integer, name: 'topup_wait_minutes', description: 'How long an order waits for a top-up (1-1440)' },
        { type: ApplicationCommandOptionType.Integer, name: 'delivery_timeout_hours', description: 'How long delivery is retried before an admin is needed (1-168)' },
        { type: ApplicationCommandOptionType.Integer, name: 'orders_per_hour', description: 'Code orders one member may place per hour (0 = unlimited)', min_value: 0, max_value: 1000 },
        { type: ApplicationCommandOptionType.Integer, name: 'topups_per_hour', description: 'Top-ups one member may start per hour (0 = unlimited)', min_value: 0, max_value: 1000 },
        { type: ApplicationCommandOptionType.Integer, name: 'redeliveries_per_day', description: 'Times one member may have codes sent again per 24 hours (0 = never)', min_value: 0, max_value: 100 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'package',
      description: 'Set the price of a package (a new size creates it)',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'codes', description: 'Codes in the package (1, 5, 10…)', required: true },
        { type: ApplicationCommandOptionType.Integer, name: 'price', description: 'Its price in the server currency', required: true },
        { type: ApplicationCommandOptionType.Boolean, name: 'active', description: 'On sale (true) or paused (false)' },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const botstatsData = {
  name: 'botstats',
  description: 'Code shop figures per day: orders, revenue, top-ups, stock (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'days', description: 'How many days back (1-31, default 7)' }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
