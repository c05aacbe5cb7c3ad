export { cancelEmbedSend, draftEmbedSend, postEmbedSend } from './send';
export { createEmbed, deleteEmbed, draftEmbed, dropDraft, editEmbed, embedCreateSchema, embedName, embedPatchSchema, embedToJson, getEmbed, saveDraft } from './service';
