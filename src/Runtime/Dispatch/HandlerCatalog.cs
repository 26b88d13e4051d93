using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Channels.Dispatch;

/// <summary>
/// All handlers of the app, grouped by namespace and event kind, in table order. Resolves which
/// handlers fire for a channel once per (namespace, kind, channel) and caches the answer, so the
/// per-message cost does not grow with the number of patterns. Which handlers run, and how, is
/// <see cref="ChannelDispatcher"/>'s business.
/// </summary>
internal sealed class HandlerCatalog
{
    /// <summary>The channels cached per namespace and kind; past it, lookups are resolved each time.</summary>
    public const int DefaultCacheLimit = 4096;

    private readonly FrozenDictionary<string, NamespaceHandlers> _namespaces;

    /// <summary>Groups the handlers of <paramref name="tables"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// A handler names a rate limit that <paramref name="rateLimits"/> does not have, or is an event handler for a
    /// reserved channel request (<c>subscribe</c>, <c>presence</c>, …).
    /// </exception>
    public HandlerCatalog(IEnumerable<IChannelHandlerTable> tables, ICollection<string>? rateLimits = null, int cacheLimit = DefaultCacheLimit)
    {
        var byNamespace = new Dictionary<string, List<ChannelHandlerDescriptor>>(StringComparer.Ordinal) { ["/"] = [] };
        foreach (var table in tables)
        {
            foreach (var handler in table.Handlers)
            {
                if (handler.RateLimit is { } limit && rateLimits?.Contains(limit) != true)
                {
                    throw new InvalidOperationException(
                        $"Handler {handler.Name} names rate limit '{limit}', which ChannelsOptions.EventRateLimits does not have; add it in AddChannels(options => options.EventRateLimits[\"{limit}\"] = new() {{ ... }}).");
                }

                if (handler.Kind == ChannelEventKind.Event && handler.EventName is { } name && ChannelRequests.IsRequest(name))
                {
                    // The generator refuses these names at compile time (CHN0015); a hand-written table is told here.
                    throw new InvalidOperationException(
                        $"Handler {handler.Name} is an event handler for '{name}', a reserved channel request (docs/protocol.md): it would never run. Choose another event name.");
                }

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

    public NamespaceHandlers? Find(string @namespace) => _namespaces.GetValueOrDefault(@namespace);

    /// <summary>Every namespace with handlers, and <c>/</c>, in ordinal order.</summary>
    public IReadOnlyList<string> Namespaces => [.. _namespaces.Keys.Order(StringComparer.Ordinal)];
}

/// <summary>The handlers of one namespace.</summary>
internal sealed class NamespaceHandlers
{
    private static readonly ChannelHandlerDescriptor[] None = [];
    private readonly ChannelHandlerDescriptor[][] _byKind;
    private readonly bool[] _patterned;
    private readonly bool[] _rateLimited;
    private readonly FrozenDictionary<string, ChannelHandlerDescriptor[]> _events;
    private readonly ConcurrentDictionary<string, ChannelHandlerDescriptor[]>[] _cache;
    private readonly int[] _cached;
    private readonly int _cacheLimit;

    public NamespaceHandlers(List<ChannelHandlerDescriptor> handlers, int cacheLimit)
    {
        var kinds = Enum.GetValues<ChannelEventKind>().Length;
        _byKind = new ChannelHandlerDescriptor[kinds][];
        _patterned = new bool[kinds];
        _rateLimited = new bool[kinds];
        _cache = new ConcurrentDictionary<string, ChannelHandlerDescriptor[]>[kinds];
        _cached = new int[kinds];
        for (var kind = 0; kind < kinds; kind++)
        {
            _byKind[kind] = [.. handlers.Where(h => (int)h.Kind == kind)];
            _patterned[kind] = Array.Exists(_byKind[kind], static h => h.Matcher is not null);
            _rateLimited[kind] = Array.Exists(_byKind[kind], static h => h.RateLimit is not null);
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

    /// <summary>Whether any handler of a kind has a channel pattern.</summary>
    public bool HasPatterned(ChannelEventKind kind) => _patterned[(int)kind];

    /// <summary>Whether any handler of a kind names a rate limit.</summary>
    public bool HasRateLimits(ChannelEventKind kind) => _rateLimited[(int)kind];

    /// <summary>How many channels are cached for a kind (never more than the limit).</summary>
    internal int CachedCount(ChannelEventKind kind) => Volatile.Read(ref _cached[(int)kind]);

    /// <summary>The handlers of a custom event.</summary>
    public ChannelHandlerDescriptor[] ForEvent(string name) => _events.GetValueOrDefault(name) ?? None;

    /// <summary>The handlers of a kind that fire for <paramref name="channel"/>: unpatterned ones and those whose pattern matches.</summary>
    public ChannelHandlerDescriptor[] ForChannel(ChannelEventKind kind, string channel)
    {
        if (!_patterned[(int)kind])
        {
            return _byKind[(int)kind];
        }

        return _cache[(int)kind].TryGetValue(channel, out var handlers) ? handlers : Resolve(kind, channel);
    }

    /// <summary>
    /// The slow path, kept out of <see cref="ForChannel"/>: its lambda captures the channel, and a captured
    /// parameter would allocate the closure on every call, cached or not.
    /// </summary>
    private ChannelHandlerDescriptor[] Resolve(ChannelEventKind kind, string channel)
    {
        var handlers = Array.FindAll(_byKind[(int)kind], h => h.Matcher is null || h.Matcher(channel));

        // The count is kept here, not read from the dictionary: ConcurrentDictionary.Count takes every
        // lock and walks every bucket, which made each miss past the limit cost the whole cache. A slot
        // is reserved before adding, so concurrent misses never take the cache past the limit.
        if (Interlocked.Increment(ref _cached[(int)kind]) <= _cacheLimit)
        {
            if (!_cache[(int)kind].TryAdd(channel, handlers))
            {
                Interlocked.Decrement(ref _cached[(int)kind]);
            }
        }
        else
        {
            Interlocked.Decrement(ref _cached[(int)kind]);
        }

        return handlers;
    }
}
