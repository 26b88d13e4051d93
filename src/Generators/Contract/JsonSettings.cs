using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Contract;

/// <summary>The JSON settings the contract follows: how property names and enums are written.</summary>
internal sealed class JsonSettings
{
    /// <summary>0 none, 1 camelCase, 2 snake_case, 3 SNAKE_CASE, 4 kebab-case, 5 KEBAB-CASE (System.Text.Json's JsonKnownNamingPolicy).</summary>
    public int NamingPolicy { get; set; } = 1;

    public bool StringEnums { get; set; }

    /// <summary>
    /// The settings of the app's JsonSerializerContext: its <c>[JsonSourceGenerationOptions]</c> naming policy and
    /// <c>UseStringEnumConverter</c> when it sets them; otherwise what <c>ChannelsOptions.JsonSerializerOptions</c>
    /// does (<c>JsonSerializerDefaults.Web</c>: camelCase, enums as numbers).
    /// </summary>
    public static JsonSettings Read(Compilation compilation)
    {
        var settings = new JsonSettings();
        var context = compilation.GetTypeByMetadataName("System.Text.Json.Serialization.JsonSerializerContext");
        foreach (var type in AllTypes(compilation.Assembly.GlobalNamespace))
        {
            if (context is null || !DerivesFrom(type, context))
            {
                continue;
            }

            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() != "System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute")
                {
                    continue;
                }

                foreach (var named in attribute.NamedArguments)
                {
                    if (named.Key == "PropertyNamingPolicy" && named.Value.Value is int policy)
                    {
                        settings.NamingPolicy = policy;
                    }
                    else if (named.Key == "UseStringEnumConverter" && named.Value.Value is bool strings)
                    {
                        settings.StringEnums = strings;
                    }
                }

                return settings;
            }
        }

        return settings;
    }

    private static bool DerivesFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    public static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol ns) =>
        ns.GetNamespaceMembers().SelectMany(AllTypes)
            .Concat(ns.GetTypeMembers().SelectMany(Nested));

    private static IEnumerable<INamedTypeSymbol> Nested(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.GetTypeMembers().SelectMany(Nested));

    /// <summary>A C# member name as the naming policy writes it (System.Text.Json's algorithms).</summary>
    public string Name(string name) => NamingPolicy switch
    {
        1 => CamelCase(name),
        2 => Separated(name, '_', upper: false),
        3 => Separated(name, '_', upper: true),
        4 => Separated(name, '-', upper: false),
        5 => Separated(name, '-', upper: true),
        _ => name,
    };

    private static string CamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    private static string Separated(string name, char separator, bool upper)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
            {
                text.Append(separator);
            }

            text.Append(upper ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
