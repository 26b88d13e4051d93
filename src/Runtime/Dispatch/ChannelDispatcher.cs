using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Channels.Dispatch;

/// <summary>
/// All handlers of the app, grouped by namespace and event kind, in table order. Resolves which
/// handlers fire for a channel once per (namespace, kind, channel) and caches the answer, so the
/// per-message cost does not grow with the number of patterns.
/// </summary>
internal sealed class ChannelDispatcher
{
    private readonly FrozenDictionary<string, NamespaceHandlers> _namespaces;

    public ChannelDispatcher(IEnumerable<IChannelHandlerTable> tables, int cacheLimit = 4096)
    {
        var byNamespace = new Dictionary<string, List<ChannelHandlerDescriptor>>(StringComparer.Ordinal) { ["/"] = [] };
        foreach (var table in tables)
        {
            foreach (var handler in table.Handlers)
            {
                if (!byNamespace.TryGetValue(handler.Namespace, out var list))
                {
                    byNamespace[handler.Namespace] = list = [];
                }

                list.Add(handler);
            }
        }

        _namespaces = byNamespace.ToFrozenDictionary(
            static pair => pair.Key,
            pair => new NamespaceHandlers(pair.Value, cacheLimit),
            StringComparer.Ordinal);
    }

    /// <summary>The namespaces clients may connect to: <c>/</c> and every one a handler names.</summary>
    public IEnumerable<string> Namespaces => _namespaces.Keys;

    public NamespaceHandlers? Find(string @namespace) => _namespaces.GetValueOrDefault(@namespace);
}

/// <summary>The handlers of one namespace.</summary>
internal sealed class NamespaceHandlers
{
    private static readonly ChannelHandlerDescriptor[] None = [];
    private readonly ChannelHandlerDescriptor[][] _byKind;
    private readonly FrozenDictionary<string, ChannelHandlerDescriptor[]> _events;
    private readonly ConcurrentDictionary<string, ChannelHandlerDescriptor[]>[] _cache;
    private readonly int _cacheLimit;

    public NamespaceHandlers(List<ChannelHandlerDescriptor> handlers, int cacheLimit)
    {
        var kinds = Enum.GetValues<ChannelEventKind>().Length;
        _byKind = new ChannelHandlerDescriptor[kinds][];
        _cache = new ConcurrentDictionary<string, ChannelHandlerDescriptor[]>[kinds];
        for (var kind = 0; kind < kinds; kind++)
        {
            _byKind[kind] = [.. handlers.Where(h => (int)h.Kind == kind)];
            _cache[kind] = new ConcurrentDictionary<string, ChannelHandlerDescriptor[]>(StringComparer.Ordinal);
        }

        _events = handlers
            .Where(static h => h.Kind == ChannelEventKind.Event)
            .GroupBy(static h => h.EventName!, StringComparer.Ordinal)
            .ToFrozenDictionary(static g => g.Key, static g => g.ToArray(), StringComparer.Ordinal);
        _cacheLimit = cacheLimit;
    }

    /// <summary>Every handler of a kind, patterned or not.</summary>
    public ChannelHandlerDescriptor[] All(ChannelEventKind kind) => _byKind[(int)kind];

    /// <summary>The handlers of a custom event.</summary>
    public ChannelHandlerDescriptor[] ForEvent(string name) => _events.GetValueOrDefault(name) ?? None;

    public bool HasEvent(string name) => _events.ContainsKey(name);

    /// <summary>The handlers of a kind that fire for <paramref name="channel"/>: unpatterned ones and those whose pattern matches.</summary>
    public ChannelHandlerDescriptor[] ForChannel(ChannelEventKind kind, string channel)
    {
        return _cache[(int)kind].TryGetValue(channel, out var handlers) ? handlers : Resolve(kind, channel);
    }

    /// <summary>
    /// The slow path, kept out of <see cref="ForChannel"/>: its lambda captures the channel, and a captured
    /// parameter would allocate the closure on every call, cached or not.
    /// </summary>
    private ChannelHandlerDescriptor[] Resolve(ChannelEventKind kind, string channel)
    {
        var all = _byKind[(int)kind];
        var handlers = Array.TrueForAll(all, static h => h.Matcher is null)
            ? all
            : Array.FindAll(all, h => h.Matcher is null || h.Matcher(channel));
        var cache = _cache[(int)kind];
        if (cache.Count < _cacheLimit)
        {
            cache.TryAdd(channel, handlers);
        }

        return handlers;
    }
}
