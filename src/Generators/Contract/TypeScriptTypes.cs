using System.Collections.Generic;
using System.Linq;
using System.Text;
using Channels.Generators.Parser;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Contract;

/// <summary>
/// C# types as TypeScript, as System.Text.Json writes them: primitives, strings (dates, <c>Guid</c>s, …),
/// collections as arrays, string-keyed dictionaries as records, enums as numbers or names, nullable as
/// <c>T | null</c>, and other classes, records and structs as interfaces of their public properties (declared
/// once, by name). What cannot be expressed is <c>unknown</c>, and noted.
/// </summary>
internal sealed class TypeScriptTypes(JsonSettings settings)
{
    private readonly Dictionary<ITypeSymbol, string> _names = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

    /// <summary>The interface declarations, by name.</summary>
    public SortedDictionary<string, string> Declarations { get; } = new(System.StringComparer.Ordinal);

    /// <summary>The types that became <c>unknown</c>, as C# writes them.</summary>
    public SortedSet<string> Unexpressed { get; } = new(System.StringComparer.Ordinal);

    public string Of(ITypeSymbol type, bool nullable = false)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
        {
            return Of(nullableValue.TypeArguments[0]) + " | null";
        }

        var text = NonNull(type);
        return nullable || type.NullableAnnotation == NullableAnnotation.Annotated ? Union(text, "null") : text;
    }

    private static string Union(string text, string other) => text == "unknown" ? text : text.Contains(" => ") ? $"({text}) | {other}" : $"{text} | {other}";

    private string NonNull(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_String or SpecialType.System_Char or SpecialType.System_DateTime:
                return "string";
            case SpecialType.System_Boolean:
                return "boolean";
            case SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
                or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal:
                return "number";
            case SpecialType.System_Object:
                return "unknown";
            case SpecialType.System_IntPtr or SpecialType.System_UIntPtr:
                Unexpressed.Add(type.ToDisplayString());
                return "unknown";
        }

        var name = type.OriginalDefinition.ToDisplayString();
        switch (name)
        {
            case "System.Guid" or "System.DateTimeOffset" or "System.DateOnly" or "System.TimeOnly" or "System.TimeSpan" or "System.Uri" or "System.Version":
                return "string";
            case "System.Int128" or "System.UInt128" or "System.Half":
                return "number";
            case "System.Text.Json.JsonElement" or "System.Text.Json.Nodes.JsonNode" or "System.Text.Json.Nodes.JsonObject" or "System.Text.Json.Nodes.JsonArray" or "Channels.ChannelPayload":
                return "unknown";
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType.SpecialType == SpecialType.System_Byte ? "string" : Element(Of(array.ElementType));
        }

        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol enumType)
        {
            return Enum(enumType);
        }

        if (type is INamedTypeSymbol named)
        {
            if (Dictionary(named) is { } value)
            {
                return $"Record<string, {Of(value)}>";
            }

            if (Enumerable(named) is { } item)
            {
                return Element(Of(item));
            }

            if (named.TypeKind is TypeKind.Class or TypeKind.Struct or TypeKind.Interface && !named.IsStatic && named.DeclaredAccessibility != Accessibility.Private)
            {
                return Interface(named);
            }
        }

        Unexpressed.Add(type.ToDisplayString());
        return "unknown";
    }

    private static string Element(string item) => item.Contains(" ") ? $"({item})[]" : item + "[]";

    private static ITypeSymbol? Dictionary(INamedTypeSymbol type)
    {
        foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
        {
            if (candidate.IsGenericType && candidate.TypeArguments.Length == 2
                && candidate.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>" or "System.Collections.Generic.Dictionary<TKey, TValue>")
            {
                return candidate.TypeArguments[1];
            }
        }

        return null;
    }

    private static ITypeSymbol? Enumerable(INamedTypeSymbol type)
    {
        foreach (var candidate in new[] { type }.Concat(type.AllInterfaces))
        {
            if (candidate.IsGenericType && candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T)
            {
                return candidate.TypeArguments[0];
            }
        }

        return null;
    }

    private string Enum(INamedTypeSymbol type)
    {
        var members = type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).ToList();
        var strings = settings.StringEnums || type.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonConverterAttribute"
            && a.ConstructorArguments.Length == 1
            && a.ConstructorArguments[0].Value is INamedTypeSymbol converter
            && converter.OriginalDefinition.ToDisplayString().StartsWith("System.Text.Json.Serialization.JsonStringEnumConverter", System.StringComparison.Ordinal));
        if (members.Count == 0)
        {
            return strings ? "string" : "number";
        }

        return string.Join(" | ", members
            .Select(m => strings ? Quote(EnumMemberName(m)) : System.Convert.ToString(m.ConstantValue, System.Globalization.CultureInfo.InvariantCulture))
            .Distinct());
    }

    private static string EnumMemberName(IFieldSymbol member) =>
        member.GetAttributes().FirstOrDefault(a => a.AttributeClass?.Name == "JsonStringEnumMemberNameAttribute")?.ConstructorArguments.FirstOrDefault().Value as string
        ?? member.Name;

    private string Interface(INamedTypeSymbol type)
    {
        if (_names.TryGetValue(type, out var known))
        {
            return known;
        }

        var name = DeclarationName(type);
        _names.Add(type, name);
        var text = new StringBuilder();
        text.Append("/** ").Append(type.ToDisplayString()).Append(" */\n");
        text.Append("export interface ").Append(name).Append(" {\n");
        foreach (var (property, propertyType, nullable) in Properties(type))
        {
            var jsonName = property.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonPropertyNameAttribute")?.ConstructorArguments.FirstOrDefault().Value as string
                ?? settings.Name(property.Name);
            text.Append("  ").Append(PropertyKey(jsonName)).Append(": ").Append(Of(propertyType, nullable)).Append(";\n");
        }

        text.Append('}');
        Declarations[name] = text.ToString();
        return name;
    }

    private static IEnumerable<(ISymbol Member, ITypeSymbol Type, bool Nullable)> Properties(INamedTypeSymbol type)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var types = new List<INamedTypeSymbol>();
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            types.Insert(0, current);
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            types.AddRange(type.AllInterfaces);
        }

        foreach (var declaring in types)
        {
            foreach (var member in declaring.GetMembers())
            {
                if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod: { DeclaredAccessibility: Accessibility.Public } } property
                    || member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonIgnoreAttribute")
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                yield return (property, property.Type, property.NullableAnnotation == NullableAnnotation.Annotated);
            }
        }
    }

    private string DeclarationName(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            parts.Insert(0, current.Name + string.Concat(current.TypeArguments.Select(t => "_" + Identifier(t.Name))));
        }

        var name = Identifier(string.Join("_", parts));
        var unique = name;
        for (var n = 2; !_taken.Add(unique); n++)
        {
            unique = name + n;
        }

        return unique;
    }

    private static string Identifier(string text)
    {
        var chars = text.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        var result = new string(chars);
        return result.Length == 0 || char.IsDigit(result[0]) ? "_" + result : result;
    }

    public static string Quote(string text)
    {
        var result = new StringBuilder("\"");
        foreach (var c in text)
        {
            result.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c < ' ' => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return result.Append('"').ToString();
    }

    public static string PropertyKey(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '$') ? name : Quote(name);

    /// <summary>The binding kinds whose value is a payload argument the client sends.</summary>
    public static bool IsPayload(Model.BindingKind binding) =>
        binding is Model.BindingKind.PayloadString or Model.BindingKind.PayloadElement or Model.BindingKind.PayloadBinary or Model.BindingKind.PayloadValue;

    /// <summary>A payload parameter as the client sends it.</summary>
    public string Payload(Model.ParameterModel parameter, ITypeSymbol type) => parameter.Binding switch
    {
        Model.BindingKind.PayloadString => parameter.AcceptsNull ? "string | null" : "string",
        Model.BindingKind.PayloadElement => "unknown",
        Model.BindingKind.PayloadBinary => "ArrayBuffer | ArrayBufferView",
        _ => Of(type, parameter.AcceptsNull && !type.IsValueType),
    };

    /// <summary>An ack value as the client receives it (binary arrives as an ArrayBuffer).</summary>
    public string Ack(ITypeSymbol type, KnownTypes known) =>
        known.IsBinary(type) || type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte } ? "ArrayBuffer" : Of(type);
}
