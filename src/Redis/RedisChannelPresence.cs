using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Channels.Backplane;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Channels.Redis;

/// <summary>
/// Presence across servers (layout in <see cref="RedisPresenceScripts"/>): one view in Redis, written by the
/// server that holds each socket. Each server refreshes its heartbeat key every quarter of
/// <see cref="RedisBackplaneOptions.PresenceTimeout"/>, with an expiry of half of it, and every quarter looks for
/// servers whose heartbeat expired: the one server that removes such a server from the set removes its members
/// and publishes their leaves. A dead server's members are so gone within three quarters of the timeout, plus
/// the time Redis takes. A server that finds itself removed (a Redis outage longer than that, or a beat late by
/// half the timeout) tracks its members again; a track puts its server back in the set, so that a member tracked
/// after its server was swept still leaves if that server dies.
/// </summary>
internal sealed partial class RedisChannelPresence : IChannelPresence, IHostedService, IAsyncDisposable
{
    private const int ServerIdLength = 32;

    private readonly RedisBackplane _backplane;
    private readonly RedisBackplaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisChannelPresence> _logger;
    private readonly ConcurrentDictionary<(string Namespace, string Channel, string SocketId), ReadOnlyMemory<byte>> _local = new();
    private ITimer? _timer;
    private int _beating;
    private int _beats;
    private int _unsettled;
    private int _swept;
    private bool _registered;

    public RedisChannelPresence(RedisBackplane backplane, IOptions<RedisBackplaneOptions> options, TimeProvider time, ILogger<RedisChannelPresence> logger)
    {
        _backplane = backplane;
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (_options.PresenceTimeout < TimeSpan.FromMilliseconds(100) || _options.PresenceTimeout > TimeSpan.FromDays(1))
        {
            throw new OptionsValidationException(
                nameof(RedisBackplaneOptions),
                typeof(RedisBackplaneOptions),
                [$"RedisBackplaneOptions.PresenceTimeout must be at least 100 ms and at most one day; it is {_options.PresenceTimeout}."]);
        }
    }

    private string ServerId => _backplane.ServerId;

    private RedisKey ServersKey => _options.ChannelPrefix + ":presence-servers";

    private RedisKey AliveKey(string serverId) => _options.ChannelPrefix + ":presence-alive:" + serverId;

    private RedisKey IndexKey(string serverId) => _options.ChannelPrefix + ":presence-server:" + serverId;

    /// <summary>The channel's hash; the namespace's length first, so that no two (namespace, channel) pairs share a key.</summary>
    private string ChannelKey(string @namespace, string channel) => $"{_options.ChannelPrefix}:presence:{@namespace.Length}:{@namespace}:{channel}";

    private IDatabase Database => (_backplane.Connection ?? throw new InvalidOperationException("The Redis backplane has not started.")).GetDatabase();

    public async ValueTask<PresenceTrackResult> TrackAsync(string @namespace, string channel, string socketId, ReadOnlyMemory<byte> meta, int maxMembers, CancellationToken cancellationToken)
    {
        // Known here before it is in Redis, so that a settling heartbeat never takes it for a stale entry.
        var key = ChannelKey(@namespace, channel);
        var had = _local.TryGetValue((@namespace, channel, socketId), out var previous);
        _local[(@namespace, channel, socketId)] = meta;
        var result = -1;
        try
        {
            result = (int)await Database.ScriptEvaluateAsync(
                RedisPresenceScripts.Track,
                [key, IndexKey(ServerId), ServersKey],
                [socketId, Value(meta), maxMembers, IndexEntry(key, socketId, @namespace, channel), ServerId]);
            if (result >= 2 && Volatile.Read(ref _registered))
            {
                // This server had been swept as dead (a late beat) and is back in the set now: the next beat
                // tracks again whatever else the sweep removed.
                Volatile.Write(ref _swept, 1);
            }
        }
        finally
        {
            if (result < 0)
            {
                if (had)
                {
                    _local[(@namespace, channel, socketId)] = previous;
                }
                else
                {
                    _local.TryRemove((@namespace, channel, socketId), out _);
                }
            }
        }

        return result < 0 ? PresenceTrackResult.Full : (result & 1) == 1 ? PresenceTrackResult.Updated : PresenceTrackResult.Joined;
    }

    public async ValueTask<ReadOnlyMemory<byte>?> UntrackAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken)
    {
        _local.TryRemove((@namespace, channel, socketId), out _);
        try
        {
            return await RemoveAsync(@namespace, channel, socketId);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // Left in Redis: the next heartbeat that reaches Redis removes it (and publishes the leave).
            Volatile.Write(ref _unsettled, 1);
            throw;
        }
    }

    /// <summary>Out of this server's books (and index) only: the entry in the channel's hash is another server's now.</summary>
    public async ValueTask ForgetAsync(string @namespace, string channel, string socketId, CancellationToken cancellationToken)
    {
        _local.TryRemove((@namespace, channel, socketId), out _);
        var key = ChannelKey(@namespace, channel);
        await Database.SetRemoveAsync(IndexKey(ServerId), IndexEntry(key, socketId, @namespace, channel));
    }

    private async Task<ReadOnlyMemory<byte>?> RemoveAsync(string @namespace, string channel, string socketId)
    {
        var key = ChannelKey(@namespace, channel);
        var removed = await Database.ScriptEvaluateAsync(
            RedisPresenceScripts.Untrack,
            [key, IndexKey(ServerId)],
            [socketId, IndexEntry(key, socketId, @namespace, channel)]);
        return removed.IsNull ? null : Meta((byte[])removed!);
    }

    public async ValueTask<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>> GetMembersAsync(string @namespace, string channel, CancellationToken cancellationToken)
    {
        var entries = await Database.HashGetAllAsync(ChannelKey(@namespace, channel));
        var members = new KeyValuePair<string, ReadOnlyMemory<byte>>[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            members[i] = new(entries[i].Name!, Meta((byte[])entries[i].Value!));
        }

        return members;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await BeatAsync();
        var period = _options.PresenceTimeout / 4;
        _timer = _time.CreateTimer(static state => _ = ((RedisChannelPresence)state!).BeatAsync(), this, period, period);
    }

    /// <summary>Stops the heartbeat; the close sequences of this server's sockets have removed its members already.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopHeartbeat();
        try
        {
            if (_backplane.Connection is { IsConnected: true })
            {
                // Gone now rather than at the expiry: whatever is left is cleaned up by the next sweep elsewhere.
                await Database.KeyDeleteAsync(AliveKey(ServerId));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            HeartbeatFailed(ex);
        }
    }

    /// <summary>How many heartbeats (each with its sweep) have completed (tests wait on it).</summary>
    internal int CompletedBeats => Volatile.Read(ref _beats);

    /// <summary>No more heartbeats or sweeps from this server (its stop; tests use it to play a server that died).</summary>
    internal void StopHeartbeat() => Interlocked.Exchange(ref _timer, null)?.Dispose();

    public ValueTask DisposeAsync()
    {
        StopHeartbeat();
        return ValueTask.CompletedTask;
    }

    /// <summary>Refreshes this server's heartbeat, then removes the members of servers whose heartbeat expired.</summary>
    private async Task BeatAsync()
    {
        // One beat at a time: a slow one (Redis lagging) is not overtaken by the next.
        if (_backplane.Connection is not { IsConnected: true } || Interlocked.Exchange(ref _beating, 1) == 1)
        {
            return;
        }

        try
        {
            var db = Database;
            await db.StringSetAsync(AliveKey(ServerId), "1", _options.PresenceTimeout / 2);
            var added = await db.SetAddAsync(ServersKey, ServerId);
            if ((added | Interlocked.Exchange(ref _swept, 0) == 1) && _registered && !_local.IsEmpty)
            {
                // Removed by another server (Redis out of reach, or a beat late by half the timeout): our
                // members are tracked again. A track since then may have put us back: it left _swept set.
                await RetrackAsync();
            }

            _registered = true;
            if (Interlocked.Exchange(ref _unsettled, 0) == 1)
            {
                await SettleAsync(db);
            }

            foreach (var server in await db.SetMembersAsync(ServersKey))
            {
                if (server.ToString() is { } id && id != ServerId)
                {
                    await SweepAsync(db, id);
                }
            }

            Interlocked.Increment(ref _beats);
        }
        catch (Exception ex)
        {
            // A timer's work: whatever failed (Redis, an unreadable entry) is logged and tried again at the next beat.
            HeartbeatFailed(ex);
        }
        finally
        {
            Volatile.Write(ref _beating, 0);
        }
    }

    /// <summary>
    /// After a leave that did not reach Redis: the entries of this server's index that it no longer tracks are
    /// removed, and their leaves published.
    /// </summary>
    private async Task SettleAsync(IDatabase db)
    {
        try
        {
            foreach (var entry in await db.SetMembersAsync(IndexKey(ServerId)))
            {
                var (socketId, @namespace, channel) = ReadEntry((byte[])entry!);
                if (!_local.ContainsKey((@namespace, channel, socketId)) && await RemoveAsync(@namespace, channel, socketId) is { } meta)
                {
                    await _backplane.PublishAsync(PresenceDiff.Publication(channel, [], [new(socketId, meta)], @namespace));
                }
            }
        }
        catch
        {
            Volatile.Write(ref _unsettled, 1);
            throw;
        }
    }

    private async Task SweepAsync(IDatabase db, string serverId)
    {
        var removed = (RedisResult[])(await db.ScriptEvaluateAsync(
            RedisPresenceScripts.Sweep,
            [ServersKey, AliveKey(serverId), IndexKey(serverId)],
            [serverId]))!;
        if (removed.Length == 0)
        {
            return;
        }

        var leaves = new Dictionary<(string Namespace, string Channel), List<KeyValuePair<string, ReadOnlyMemory<byte>>>>();
        for (var i = 0; i + 1 < removed.Length; i += 2)
        {
            var (socketId, @namespace, channel) = ReadEntry((byte[])removed[i]!);
            if (!leaves.TryGetValue((@namespace, channel), out var list))
            {
                leaves[(@namespace, channel)] = list = [];
            }

            list.Add(new(socketId, Meta((byte[])removed[i + 1]!)));
        }

        ServerExpired(serverId[..8], removed.Length / 2);
        foreach (var ((@namespace, channel), members) in leaves)
        {
            await _backplane.PublishAsync(PresenceDiff.Publication(channel, [], members, @namespace));
        }
    }

    private async Task RetrackAsync()
    {
        ServerRetracked(_local.Count);
        foreach (var ((@namespace, channel, socketId), meta) in _local.ToArray())
        {
            if (await TrackAsync(@namespace, channel, socketId, meta, int.MaxValue, CancellationToken.None) == PresenceTrackResult.Joined)
            {
                await _backplane.PublishAsync(PresenceDiff.Publication(channel, [new(socketId, meta)], [], @namespace));
            }
        }
    }

    /// <summary>The hash value: the owning server's id, then the metadata.</summary>
    private byte[] Value(ReadOnlyMemory<byte> meta)
    {
        var value = new byte[ServerIdLength + meta.Length];
        Encoding.ASCII.GetBytes(ServerId, value);
        meta.Span.CopyTo(value.AsSpan(ServerIdLength));
        return value;
    }

    private static ReadOnlyMemory<byte> Meta(byte[] value) =>
        value.Length < ServerIdLength ? throw new InvalidDataException("A presence entry in Redis is shorter than a server id.") : value.AsMemory(ServerIdLength);

    /// <summary>An entry of a server's index, as its sweep script reads it: <c>[hash key, socket id, namespace, channel]</c>.</summary>
    private static byte[] IndexEntry(string key, string socketId, string @namespace, string channel) =>
        JsonSerializer.SerializeToUtf8Bytes([key, socketId, @namespace, channel], RedisJson.Default.StringArray);

    private static (string SocketId, string Namespace, string Channel) ReadEntry(byte[] entry)
    {
        using var json = JsonDocument.Parse(entry);
        return (json.RootElement[1].GetString()!, json.RootElement[2].GetString()!, json.RootElement[3].GetString()!);
    }

    [LoggerMessage(20, LogLevel.Warning, "Redis presence: the heartbeat or sweep failed; retried at the next beat")]
    private partial void HeartbeatFailed(Exception exception);

    [LoggerMessage(21, LogLevel.Information, "Redis presence: server {ServerId} stopped beating; removed its {Count} members and published their leaves")]
    private partial void ServerExpired(string serverId, int count);

    [LoggerMessage(22, LogLevel.Warning, "Redis presence: this server's members had been removed (Redis unreachable past PresenceTimeout); tracking {Count} again")]
    private partial void ServerRetracked(int count);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class RedisJson : System.Text.Json.Serialization.JsonSerializerContext;
