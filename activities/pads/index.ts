export { boardLines, endButton, formatDuration, PAD_END_ACTION, typeLabel } from './messages';
export { getPadSettings, mayHost, padBoard, padSessionToJson, padSettingsSchema, padStats, sessionInput, updatePadSettings, type PadSettingsPatch } from './service';
