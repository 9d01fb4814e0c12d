import type { Em } from '../../db/orm.ts';
import { registerDeletionHook, registerExportKind } from '../privacy/export-registry.ts';

// What the community holds about a resident, for "Meine Daten" and "Konto löschen"
// (src/features/privacy/export-registry.ts): their own board posts and comments, their
// neighbour profile and the messages they wrote (never the other side's). Plain SQL over the
// resident's own rows; every statement names the user.

const rows = async <T>(em: Em, sql: string, params: unknown[]) => (await em.execute(sql, params)) as T[];

registerExportKind({
  key: 'schwarzes-brett',
  async collect({ em, user }) {
    const posts = await rows<{ id: string; photos: Array<{ storage_key: string; file_name: string }> | null } & Record<string, unknown>>(
      em,
      `select bp.id, p.name as liegenschaft, bp.title as titel, bp.body as text, bp.ends_on as anzeigen_bis, bp.created_at as erstellt_am,
         bp.edited_at as bearbeitet_am, bp.hidden_at as ausgeblendet_am,
         (select json_agg(json_build_object('storage_key', ph.storage_key, 'file_name', ph.file_name) order by ph.position) from board_photo ph where ph.post_id = bp.id) as photos
       from board_post bp join property p on p.id = bp.property_id where bp.author_id = ? order by bp.created_at`,
      [user.id],
    );
    const comments = await rows(
      em,
      `select bc.post_id as beitrag, bc.body as text, bc.created_at as erstellt_am, bc.hidden_at as ausgeblendet_am
       from board_comment bc where bc.author_id = ? order by bc.created_at`,
      [user.id],
    );
    const files = posts.flatMap((post) =>
      (post.photos ?? []).map((photo, i) => ({ name: `${post.id}-${i + 1}-${photo.file_name}`, storageKey: photo.storage_key })),
    );
    return {
      json: { beitraege: posts.map(({ photos, ...post }) => ({ ...post, fotos: (photos ?? []).map((p) => p.file_name) })), kommentare: comments },
      files,
    };
  },
});

registerExportKind({
  key: 'nachbarschaft',
  async collect({ em, user }) {
    const profiles = await rows(
      em,
      `select p.name as liegenschaft, np.listed as in_liste, np.show_name as name_zeigen, np.show_photo as foto_zeigen, np.about as ueber_mich, np.location as lage
       from neighbour_profile np join property p on p.id = np.property_id where np.portal_user_id = ?`,
      [user.id],
    );
    // Only what the resident wrote: the other side's messages are the other side's data.
    const messages = await rows(
      em,
      `select dm.conversation_id as unterhaltung, dm.body as text, dm.created_at as gesendet_am
       from direct_message dm where dm.sender_id = ? order by dm.created_at`,
      [user.id],
    );
    return { json: { profile: profiles, eigeneNachrichten: messages } };
  },
});

registerDeletionHook({
  key: 'community',
  async run({ em, user }) {
    // Posts and comments stay for the neighbours' sake, without their author ("ehemalige/r Bewohner/in").
    await em.execute('update board_post set author_id = null where author_id = ?', [user.id]);
    await em.execute('update board_comment set author_id = null where author_id = ?', [user.id]);
    // The text of the messages they wrote is removed; the other side keeps the conversation's shape.
    await em.execute(`update direct_message set body = '' where sender_id = ?`, [user.id]);
    await em.execute('delete from neighbour_profile where portal_user_id = ?', [user.id]);
  },
});
