/** How Discord shows an announcement's embed, drawn from the form as it is typed (nothing is sent). */
export function EmbedPreview({ title, body, footer, colour, imageUrl }: { title: string; body: string; footer: string; colour: string; imageUrl: string }) {
  const hex = /^#?[0-9a-f]{6}$/i.test(colour.trim()) ? `#${colour.trim().replace(/^#/, '')}` : '#5865f2';
  // Images show only from Discord's CDN: the page's CSP allows no other image host.
  const image = /^https:\/\/cdn\.discordapp\.com\//.test(imageUrl.trim()) ? imageUrl.trim() : null;
  return (
    <figure className="embed-preview" aria-label="Preview of the announcement">
      <svg className="embed-bar" width="4" height="100%" preserveAspectRatio="none" viewBox="0 0 4 10" aria-hidden="true">
        <rect width="4" height="10" fill={hex} />
      </svg>
      <div className="embed-body">
        <strong className="embed-title">{title || 'Title'}</strong>
        <p className="embed-text">{body || 'The announcement’s text.'}</p>
        {image && <img src={image} alt="" className="embed-image" />}
        {imageUrl.trim() && !image && <p className="notice">Image: {imageUrl.trim()}</p>}
        {footer && <small className="embed-footer">{footer}</small>}
      </div>
    </figure>
  );
}
