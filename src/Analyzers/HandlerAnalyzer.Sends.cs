using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Parser;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Channels.Analyzers;

/// <summary>CHN0104: a value sent through the app's JSON options whose type no visible context declares.</summary>
public sealed partial class HandlerAnalyzer
{
    private static void AnalyzeSend(OperationAnalysisContext context, SendMethods sends, KnownTypes known, CompilationState state)
    {
        var invocation = (IInvocationOperation)context.Operation;
        foreach (var (value, type) in SendMethods.SentValues(invocation, sends, known))
        {
            if (!state.IsDeclared(type))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredSentType, value.Syntax.GetLocation(), JsonTypeProperty(type), type.Replace("global::", "")));
            }
        }
    }
}

/// <summary>
/// The methods that serialize a value through <c>ChannelsOptions.JsonSerializerOptions</c>, and which type each
/// call needs a contract for. Linked into the code fix, which must find the same type for a diagnostic.
/// </summary>
internal sealed class SendMethods
{
    /// <summary>Generic sends: the message is written as its type argument <c>T</c>.</summary>
    private static readonly ImmutableHashSet<string> Generic =
        ["SendAsync", "BroadcastAsync", "BroadcastChannelAsync", "SendAndBroadcastAsync", "SendAndBroadcastChannelAsync"];

    /// <summary>Emits: each argument of the <c>object?[]</c> is written as its run-time type.</summary>
    private static readonly ImmutableHashSet<string> Emits = ["EmitAsync", "EmitWithAckAsync"];

    private readonly INamedTypeSymbol?[] _types;

    private SendMethods(INamedTypeSymbol?[] types) => _types = types;

    /// <summary>The lookup for <paramref name="compilation"/>, or null when it does not reference the runtime.</summary>
    public static SendMethods? Create(Compilation compilation)
    {
        var types = new[]
        {
            compilation.GetTypeByMetadataName("Channels.IChannelPublisher"),
            compilation.GetTypeByMetadataName("Channels.ChannelSocket"),
            compilation.GetTypeByMetadataName("Channels.ChannelTarget"),
        };
        return types.All(t => t is null) ? null : new SendMethods(types);
    }

    /// <summary>
    /// Each value <paramref name="invocation"/> sends with the type whose contract it needs (fully qualified), or
    /// nothing when it is not a send or the contract cannot be known before run time.
    /// </summary>
    public static IEnumerable<(IOperation Value, string Type)> SentValues(IInvocationOperation invocation, SendMethods sends, KnownTypes known)
    {
        var method = invocation.TargetMethod;
        if (!sends.Declares(method))
        {
            yield break;
        }

        if (Generic.Contains(method.Name) && method.IsGenericMethod && method.TypeArguments.Length == 1)
        {
            var argument = invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter?.OriginalDefinition.Type, method.OriginalDefinition.TypeParameters[0]));
            if (argument is not null && ContractType(method.TypeArguments[0], Unconverted(argument.Value), known) is { } type)
            {
                yield return (argument.Value, type);
            }
        }
        else if (Emits.Contains(method.Name)
            && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Object }) is { } args)
        {
            // params, new object?[] { … } and [ … ] list their items; an array built elsewhere is not followed.
            var items = Unconverted(args.Value) switch
            {
                IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
                ICollectionExpressionOperation collection => collection.Elements,
                _ => ImmutableArray<IOperation>.Empty,
            };
            foreach (var item in items)
            {
                var value = Unconverted(item);
                if (value.Type is { } itemType && HandlerParser.CheckedAckType(itemType, known) is { } type)
                {
                    yield return (value, type);
                }
            }
        }
    }

    /// <summary>
    /// <c>T</c> itself is the contract (<c>PacketWriter.WriteValue&lt;T&gt;</c>), also for an interface or an
    /// abstract class; for <c>T</c> = <c>object</c> the value's run-time type is, approximated by the argument's
    /// own type. Values the runtime writes without the options (strings, binary, payloads) need none.
    /// </summary>
    private static string? ContractType(ITypeSymbol typeArgument, IOperation value, KnownTypes known)
    {
        if (typeArgument.SpecialType == SpecialType.System_Object)
        {
            return value.Type is { } own ? HandlerParser.CheckedAckType(own, known) : null;
        }

        if (typeArgument.TypeKind == TypeKind.Interface || (typeArgument.IsAbstract && typeArgument.TypeKind == TypeKind.Class))
        {
            return HandlerParser.FirstInaccessible(typeArgument) is null ? typeArgument.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
        }

        return HandlerParser.CheckedAckType(typeArgument, known);
    }

    private static IOperation Unconverted(IOperation value) =>
        value is IConversionOperation { IsImplicit: true } conversion ? conversion.Operand : value;

    private bool Declares(IMethodSymbol method)
    {
        for (var current = method; current is not null; current = current.OverriddenMethod)
        {
            var containing = current.OriginalDefinition.ContainingType;
            if (_types.Any(t => SymbolEqualityComparer.Default.Equals(t, containing)))
            {
                return true;
            }
        }

        return false;
    }
}
