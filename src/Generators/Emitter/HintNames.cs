using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Model;

namespace Channels.Generators.Emitter;

/// <summary>
/// The file name (hint name) of each handler class's generated source: unique per type, readable and
/// deterministic. Namespaces are joined with <c>.</c> and nesting with <c>+</c>, as in metadata names, so
/// class <c>Inner</c> inside class <c>Outer</c> (<c>Outer+Inner</c>) and class <c>Inner</c> in namespace
/// <c>Outer</c> (<c>Outer.Inner</c>) get different files. Roslyn compares hint names ignoring case (files
/// land on case-insensitive file systems too), so names that differ only in case (<c>Handlers</c>,
/// <c>handlers</c>) are numbered: the first in ordinal order keeps its name, the next gets <c>_2</c>, and so on.
/// Generic arity needs no place: generic handler classes are rejected (CHN0010).
/// </summary>
internal static class HintNames
{
    public const string Suffix = ".Channels.g.cs";

    /// <summary>Each class with its hint name, in the given order.</summary>
    public static ImmutableArray<(string HintName, HandlerClassModel Model)> Assign(EquatableArray<HandlerClassModel> classes)
    {
        var result = ImmutableArray.CreateBuilder<(string, HandlerClassModel)>(classes.Count);
        var taken = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var model in classes.OrderBy(c => c.FullName, System.StringComparer.Ordinal))
        {
            var name = Name(model);
            var candidate = name;
            for (var number = 2; !taken.Add(candidate); number++)
            {
                candidate = name + "_" + number;
            }

            result.Add((candidate + Suffix, model));
        }

        return result.MoveToImmutable();
    }

    /// <summary><c>Namespace.Outer+Inner</c>, without the <c>@</c> of escaped keywords.</summary>
    public static string Name(HandlerClassModel model)
    {
        var types = string.Join("+", model.ContainingTypes.Select(t => t.Name).Append(model.Name).Select(n => n.TrimStart('@')));
        var ns = string.Join(".", model.Namespace.Split('.').Select(n => n.TrimStart('@')));
        return ns.Length == 0 ? types : ns + "." + types;
    }
}
