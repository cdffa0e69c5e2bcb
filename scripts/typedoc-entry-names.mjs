// TypeDoc plugin for the API reference (`npm run docs`, options in typedoc.config.mjs):
// - names each entry point of a package by its import specifier: TypeDoc names the entry points of an
//   `exports` map by their keys ("" for ".", "tf", "node"); the reference shows `@od/boxes`,
//   `@od/boxes/tf`, `@od/boxes/node`, as users import them;
// - documents `tf` of `@od/tf` (the tfjs-core namespace it re-exports) by its own comment, which links
//   the tfjs API reference, not by a copy of tfjs-core's whole API.
import { Converter, ReflectionKind } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    const pkg = project.packageName ?? project.name;
    for (const child of project.children ?? []) {
      if (!child.kindOf(ReflectionKind.Module)) continue;
      child.name = child.name === "" || child.name === "." ? pkg : `${pkg}/${child.name}`;
    }
    if (pkg !== "@od/tf") return;
    for (const reflection of Object.values(project.reflections)) {
      if (reflection.name !== "tf" || !reflection.kindOf(ReflectionKind.Namespace)) continue;
      for (const member of [...(reflection.children ?? [])]) project.removeReflection(member);
    }
  });
}
