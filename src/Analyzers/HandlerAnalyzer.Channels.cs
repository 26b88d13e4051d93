using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Parser;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Channels.Analyzers;

/// <summary>CHN0103: handler patterns that no [OnSubscribe] pattern declares.</summary>
public sealed partial class HandlerAnalyzer
{
    /// <summary>
    /// CHN0103: a patterned [OnMessage], [OnUnsubscribe], [OnFinish] or [OnDisconnect] handler whose pattern
    /// matches no channel that an [OnSubscribe] pattern of its namespace matches. Those events need a channel
    /// the socket holds, and the runtime lets a client hold only channels that an [OnSubscribe] pattern
    /// matches. ([OnError] also fires for a refused publish to any channel, so it is not checked.) Reported on
    /// the handler's own type (so the code fix applies), from a compilation-wide index of [OnSubscribe] handlers.
    /// </summary>
    private static void ReportUndeclaredChannel(SymbolAnalysisContext context, HandlerEntry entry, AttributeData attribute, CompilationState state)
    {
        var handler = entry.Method;
        if (handler.Kind is not (EventKind.Message or EventKind.Unsubscribe or EventKind.Finish or EventKind.Disconnect)
            || handler.Pattern is not { NeverMatches: false } pattern
            || state.SubscribePatterns is not { } subscribes)
        {
            return;
        }

        var declared = subscribes.TryGetValue(entry.Class.SocketNamespace, out var list) ? list : [];
        if (!declared.Any(subscribe => state.MayMatchTheSame(pattern.Pattern, subscribe)))
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UndeclaredChannels, ArgumentLocation(attribute, -1), entry.Class.SocketNamespace, pattern.Pattern, handler.Kind.AttributeName()));
        }
    }

    private static Dictionary<string, List<string?>>? FindSubscribePatterns(Compilation compilation, KnownTypes known)
    {
        if (compilation.Options.OutputKind is OutputKind.DynamicallyLinkedLibrary or OutputKind.NetModule || ReferencesHandlerTable(compilation))
        {
            return null;
        }

        var patterns = new Dictionary<string, List<string?>>(System.StringComparer.Ordinal);
        foreach (var type in SourceTypes(compilation.Assembly.GlobalNamespace))
        {
            foreach (var (method, attribute, kind) in Handlers(type))
            {
                if (kind != EventKind.Subscribe)
                {
                    continue;
                }

                if (HandlerParser.Parse(method, attribute, kind, known, []) is not { } entry)
                {
                    return null;
                }

                if (!patterns.TryGetValue(entry.Class.SocketNamespace, out var list))
                {
                    patterns.Add(entry.Class.SocketNamespace, list = []);
                }

                list.Add(entry.Method.Pattern?.Pattern);
            }
        }

        return patterns;
    }

    private static IEnumerable<INamedTypeSymbol> SourceTypes(INamespaceSymbol ns) =>
        ns.GetNamespaceMembers().SelectMany(SourceTypes)
            .Concat(ns.GetTypeMembers().SelectMany(type => new[] { type }.Concat(NestedTypes(type))));

    /// <summary>Whether a referenced assembly carries a generated handler table, as the generator finds them.</summary>
    private static bool ReferencesHandlerTable(Compilation compilation)
    {
        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol assembly
                && assembly.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Channels.Dispatch.ChannelHandlerTableAttribute"))
            {
                return true;
            }
        }

        return false;
    }
}
