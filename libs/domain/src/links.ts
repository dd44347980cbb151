export type LinkType = 'Space' | 'Environment' | 'User' | 'Upload' | 'Asset' | 'Locale' | 'WebhookDefinition';

export interface Link<T extends LinkType = LinkType> {
  readonly sys: { readonly type: 'Link'; readonly linkType: T; readonly id: string };
}

export function link<T extends LinkType>(linkType: T, id: string): Link<T> {
  return { sys: { type: 'Link', linkType, id } };
}
