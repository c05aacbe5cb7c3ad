import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type BodyOf, type Schemas } from '../api/client';
import { economySettingsPatch, economySettingsProblem } from '../../../lib/requests/economy';
import { FEATURE_LABELS, FEATURE_SWITCHES, guildSettingsPatch } from '../../../lib/requests/guild-settings';
import { Outcome, checked, useAction } from '../components/forms';
import { ChannelPicker, DirectoryProblem, RoleChecklist, RolePicker, useDirectory } from '../components/pickers';
import { ErrorMessage, useLoad } from '../components/ui';
import type { PageProps } from './types';

type Economy = Schemas['EconomySettings'];
type Feature = (typeof FEATURE_SWITCHES)[number];
/** The guild's settings (locale, feature switches, roles) and the economy's (daily reward, currency). */
export function SettingsPage({ guild }: PageProps) {
  return (
    <>
      <h1>Settings</h1>
      <GuildSettingsForm guildId={guild.id} />
      <EconomySettingsForm guildId={guild.id} />
    </>
  );
}

const sameIds = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

function GuildSettingsForm({ guildId }: { guildId: string }) {
  const path = { guildId };
  const loaded = useLoad(() => api.GET('/api/guilds/{guildId}', { params: { path } }).then(unwrap), [guildId]);
  const directory = useDirectory(guildId);
  const [locale, setLocale] = useState('en');
  const [disabled, setDisabled] = useState<Feature[]>([]);
  const [adminRoles, setAdminRoles] = useState<string[]>([]);
  const [modRoles, setModRoles] = useState<string[]>([]);
  const [verifiedRole, setVerifiedRole] = useState('');
  const [unverifiedRole, setUnverifiedRole] = useState('');
  const [logChannel, setLogChannel] = useState('');
  useEffect(() => {
    const s = loaded.data?.settings;
    if (!s) return;
    setLocale(s.locale);
    // The API answers the stored switch names: the same names PATCH accepts.
    setDisabled(s.disabledFeatures as Feature[]);
    setAdminRoles(s.adminRoleIds);
    setModRoles(s.modRoleIds);
    setVerifiedRole(s.verifiedRoleId ?? '');
    setUnverifiedRole(s.unverifiedRoleId ?? '');
    setLogChannel(s.adminLogChannelId ?? '');
  }, [loaded.data]);
  const { error, done, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const before = loaded.data?.settings;
      const change: BodyOf<'/api/guilds/{guildId}/settings', 'patch'> = { locale, disabledFeatures: disabled };
      // Ids are checked against Discord by the API: send them only when they changed.
      if (!sameIds(adminRoles, before?.adminRoleIds ?? [])) change.adminRoleIds = adminRoles;
      if (!sameIds(modRoles, before?.modRoleIds ?? [])) change.modRoleIds = modRoles;
      if ((verifiedRole || null) !== (before?.verifiedRoleId ?? null)) change.verifiedRoleId = verifiedRole || null;
      if ((unverifiedRole || null) !== (before?.unverifiedRoleId ?? null)) change.unverifiedRoleId = unverifiedRole || null;
      if ((logChannel || null) !== (before?.adminLogChannelId ?? null)) change.adminLogChannelId = logChannel || null;
      unwrap(await api.PATCH('/api/guilds/{guildId}/settings', { params: { path }, body: checked(guildSettingsPatch, change) }));
      loaded.reload();
      return 'Saved.';
    });
  };
  return (
    <form className="panel wide" onSubmit={submit} aria-labelledby="guild-settings">
      <h2 id="guild-settings">Server</h2>
      <ErrorMessage error={loaded.error} />
      <DirectoryProblem directory={directory} />
      <label>
        Locale
        <input value={locale} onChange={(e) => setLocale(e.target.value)} placeholder="en or pt-BR" />
      </label>
      <fieldset>
        <legend>Features</legend>
        {FEATURE_SWITCHES.map((name) => (
          <label key={name} className="check">
            <input
              type="checkbox"
              checked={!disabled.includes(name)}
              onChange={(e) => setDisabled(e.target.checked ? disabled.filter((d) => d !== name) : [...disabled, name])}
            />
            {FEATURE_LABELS[name]}
          </label>
        ))}
      </fieldset>
      <RoleChecklist legend="Admin roles" value={adminRoles} onChange={setAdminRoles} directory={directory} guildId={guildId} />
      <RoleChecklist legend="Mod roles" value={modRoles} onChange={setModRoles} directory={directory} guildId={guildId} />
      <RolePicker label="Verified role" value={verifiedRole} onChange={setVerifiedRole} directory={directory} guildId={guildId} />
      <RolePicker label="Unverified role" value={unverifiedRole} onChange={setUnverifiedRole} directory={directory} guildId={guildId} />
      <ChannelPicker label="Admin log channel" value={logChannel} onChange={setLogChannel} directory={directory} />
      <button type="submit" className="primary">
        Save server settings
      </button>
      <Outcome error={error} done={done} />
    </form>
  );
}

const NUMBER_FIELDS = [
  ['dailyCooldownSeconds', 'Daily cooldown (seconds)'],
  ['dailyStreakMax', 'Longest streak that earns a bonus'],
  ['dailyStreakGraceSeconds', 'Streak grace (seconds)'],
  ['adminAdjustLimitPerMinute', 'Balance adjustments per person per minute'],
] as const;

function EconomySettingsForm({ guildId }: { guildId: string }) {
  const path = { guildId };
  const loaded = useLoad(() => api.GET('/api/guilds/{guildId}/economy/settings', { params: { path } }).then(unwrap), [guildId]);
  const [form, setForm] = useState<Economy | null>(null);
  useEffect(() => setForm(loaded.data ?? null), [loaded.data]);
  const { error, done, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (!form || !loaded.data) return '';
      const before = loaded.data;
      const change: Record<string, string | number | null> = {};
      if (form.dailyAmount !== before.dailyAmount) change.dailyAmount = form.dailyAmount;
      if (form.dailyStreakBonus !== before.dailyStreakBonus) change.dailyStreakBonus = form.dailyStreakBonus;
      // An emptied number field is NaN, which travels as null: checked as what the API receives.
      for (const [k] of NUMBER_FIELDS) if (form[k] !== before[k]) change[k] = Number.isNaN(form[k]) ? null : form[k];
      if (form.currency.name !== before.currency.name) change.currencyName = form.currency.name;
      if (form.currency.emoji !== before.currency.emoji) change.currencyEmoji = form.currency.emoji;
      // The route checks types, then the service the ranges (the bot's /economy shares them): both here.
      const problem = economySettingsProblem(economySettingsPatch.parse(checked(economySettingsPatch, change)));
      if (problem) throw new Error(problem);
      setForm(unwrap(await api.PATCH('/api/guilds/{guildId}/economy/settings', { params: { path }, body: change as BodyOf<'/api/guilds/{guildId}/economy/settings', 'patch'> })));
      return 'Saved.';
    });
  };
  return (
    <form className="panel wide" onSubmit={submit} aria-labelledby="economy-settings">
      <h2 id="economy-settings">Economy</h2>
      <ErrorMessage error={loaded.error} />
      {form && (
        <>
          <label>
            Currency name
            <input value={form.currency.name} onChange={(e) => setForm({ ...form, currency: { ...form.currency, name: e.target.value } })} />
          </label>
          <label>
            Currency emoji
            <input value={form.currency.emoji} onChange={(e) => setForm({ ...form, currency: { ...form.currency, emoji: e.target.value } })} />
          </label>
          <label>
            Daily reward
            <input value={form.dailyAmount} inputMode="numeric" onChange={(e) => setForm({ ...form, dailyAmount: e.target.value.trim() })} />
          </label>
          <label>
            Streak bonus per day
            <input value={form.dailyStreakBonus} inputMode="numeric" onChange={(e) => setForm({ ...form, dailyStreakBonus: e.target.value.trim() })} />
          </label>
          {NUMBER_FIELDS.map(([k, label]) => (
            <label key={k}>
              {label}
              <input type="number" value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.valueAsNumber })} />
            </label>
          ))}
          <button type="submit" className="primary">
            Save economy settings
          </button>
        </>
      )}
      <Outcome error={error} done={done} />
    </form>
  );
}
