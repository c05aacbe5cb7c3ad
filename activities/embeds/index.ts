export { cancelEmbedSend, draftEmbedSend, postEmbedSend } from './send';
export { createEmbed, deleteEmbed, draftEmbed, dropDraft, editEmbed, embedName, embedToJson, getEmbed, saveDraft } from './service';
