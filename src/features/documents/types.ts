import type { Em } from '../../db/orm.ts';
import { DocumentType, MAX_DOCUMENT_TYPE_DEPTH } from '../../entities/index.ts';

// The Dokumententypen tree (Administration > Dokumententypen): one way to read it, for the
// type selects of uploads and SmartPost, the administration page and the portal's folders.

export type TypeNode = {
  id: string;
  name: string;
  parentId: string | null;
  position: number;
  depth: number;
  path: string[];
  height: number;
  childIds: string[];
};

/** A Dokumententyp as read: entity or plain row. */
type TypeRow = { id: string; name: string; parentId: string | null; position: number };

/**
 * The Dokumententypen of the Verwaltung as a tree, flattened depth first in their order:
 * each with its depth (1 = top level), its path of names, and the height of its subtree.
 */
export async function typeTree(em: Em): Promise<TypeNode[]> {
  const types = await em.find(DocumentType, {}, { orderBy: { position: 'asc', name: 'asc', id: 'asc' } });
  return typeTreeOf(types.map((type) => ({ id: type.id, name: type.name, parentId: type.parent?.id ?? null, position: type.position })));
}

/** typeTree of types already read, in the order position, name, id (the portal's Dokumente read them with their documents). */
export function typeTreeOf(types: TypeRow[]): TypeNode[] {
  const children = new Map<string | null, TypeRow[]>();
  for (const type of types) children.set(type.parentId, [...(children.get(type.parentId) ?? []), type]);
  const out: TypeNode[] = [];
  const walk = (parentId: string | null, depth: number, path: string[]): number => {
    let height = 0;
    for (const type of children.get(parentId) ?? []) {
      // A cycle cannot be created through the console; stop anyway rather than loop forever.
      if (depth > MAX_DOCUMENT_TYPE_DEPTH + 1) break;
      const node: TypeNode = {
        id: type.id,
        name: type.name,
        parentId,
        position: type.position,
        depth,
        path: [...path, type.name],
        height: 1,
        childIds: (children.get(type.id) ?? []).map((c) => c.id),
      };
      out.push(node);
      node.height = 1 + walk(type.id, depth + 1, node.path);
      height = Math.max(height, node.height);
    }
    return height;
  };
  walk(null, 1, []);
  return out;
}

/** The ids of a type and everything below it. */
export function subtreeIds(tree: TypeNode[], id: string): Set<string> {
  const byId = new Map(tree.map((n) => [n.id, n]));
  const ids = new Set<string>();
  const add = (nodeId: string) => {
    ids.add(nodeId);
    for (const child of byId.get(nodeId)?.childIds ?? []) add(child);
  };
  add(id);
  return ids;
}
