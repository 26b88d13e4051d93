using System.Collections.Concurrent;
using System.Security.Cryptography;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Recovery;

namespace Channels.Sockets;

/// <summary>
/// Connection-state recovery on this server: the sockets whose connection dropped and that wait for their
/// client (each with a timer for the window), their records in the backplane's session store (which only
/// one server can take), and the replay of what a returning client missed.
/// </summary>
internal sealed class SuspendedSockets(
    ConnectionStateRecoveryOptions options,
    IRecoveryBackplane store,
    bool sharedStore,
    TimeProvider time,
    ChannelsLog log)
{
    // The store keeps a record a little longer than the window, so that the server that suspended the socket
    // still finds it when its own timer fires (and can tell it from a record another server took).
    private static readonly TimeSpan StoreSlack = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Suspension> _suspended = new(StringComparer.Ordinal);

    public int Count => _suspended.Count;

    /// <summary>A new socket's identity: an unguessable private id (128 random bits) and where it begins in the log.</summary>
    public RecoveryIdentity NewIdentity()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var pid = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return new RecoveryIdentity(pid, null, Head, Recovered: false);
    }

    private StreamOffset Head => StreamOffset.TryParse(store.Head, out var head) ? head : StreamOffset.Zero;

    /// <summary>
    /// Whether a socket that ends for <paramref name="reason"/> is kept for its client: when the connection
    /// dropped without the client saying goodbye to the namespace. At shutdown only when another server can
    /// take the session (a shared store).
    /// </summary>
    public bool Keeps(DisconnectReason reason) => reason switch
    {
        DisconnectReason.TransportClose or DisconnectReason.TransportError or DisconnectReason.ClientClose or DisconnectReason.PingTimeout => true,
        DisconnectReason.ServerShuttingDown => sharedStore,
        _ => false,
    };

    /// <summary>Suspends a socket whose connection ended: its record goes to the store and its window starts. False when it cannot be kept.</summary>
    public async ValueTask<bool> SuspendAsync(SocketIoSocket socket, SocketIoConnection connection, DisconnectReason reason)
    {
        if (socket.Pid is not { } pid || _suspended.Count >= options.MaxSuspendedSockets)
        {
            return false;
        }

        var record = new SessionRecord(
            socket.Id, socket.Namespace, socket.Subscriptions.ToArray(), socket.StartOffset, socket.LastOffset, Head, time.GetUtcNow().ToUnixTimeMilliseconds());
        var key = Key(socket.Namespace, pid);
        try
        {
            await store.SaveSessionAsync(key, record.Encode(), options.MaxDisconnectionDuration + StoreSlack, CancellationToken.None);
        }
        catch (Exception ex)
        {
            log.RecoveryStoreFailed(ex, "save");
            return false;
        }

        var suspension = new Suspension(socket, connection, reason);
        _suspended[key] = suspension;
        suspension.Timer = time.CreateTimer(
            static state =>
            {
                var (owner, key) = ((SuspendedSockets, string))state!;
                _ = owner.EndAsync(key, null);
            },
            (this, key),
            options.MaxDisconnectionDuration,
            Timeout.InfiniteTimeSpan);
        log.SocketSuspended(socket.Id, socket.Namespace, reason.ToText());
        return true;
    }

    /// <summary>
    /// Takes the session a reconnecting client names, on this server or from the shared store: null when
    /// there is none (unknown, expired, or already taken). A suspended socket of this server comes with it.
    /// </summary>
    public async ValueTask<TakenSession?> TakeAsync(string @namespace, string pid)
    {
        var key = Key(@namespace, pid);
        _suspended.TryRemove(key, out var local);
        local?.Timer?.Dispose();
        byte[]? bytes;
        var storeFailed = false;
        try
        {
            bytes = await store.TakeSessionAsync(key, CancellationToken.None);
        }
        catch (Exception ex)
        {
            log.RecoveryStoreFailed(ex, "take");
            (bytes, storeFailed) = (null, true);
        }

        var record = bytes is null ? null : SessionRecord.Decode(bytes);
        var expired = record is not null
            && time.GetUtcNow().ToUnixTimeMilliseconds() - record.SuspendedAtMs > options.MaxDisconnectionDuration.TotalMilliseconds;
        if (record is null || expired || !string.Equals(record.Namespace, @namespace, StringComparison.Ordinal))
        {
            if (local is not null)
            {
                // Its window is over (its timer had not fired yet) or the store failed: it ends now, here. A
                // record that is simply gone was taken by another server, where the socket lives on.
                await EndLocalAsync(local, runHandlers: bytes is not null || storeFailed);
            }

            return null;
        }

        return new TakenSession(record, local?.Socket, local?.Reason ?? DisconnectReason.TransportClose);
    }

    /// <summary>
    /// What <paramref name="socket"/> missed since <paramref name="start"/>, in order, with the log position the
    /// replay covers; null when it cannot be told exactly (the log lost some) or is over the per-socket bounds.
    /// </summary>
    public async ValueTask<Missed?> ReadMissedAsync(IChannelMember socket, StreamOffset start)
    {
        IReadOnlyList<ChannelPublication>? logged;
        try
        {
            logged = await store.ReadAfterAsync(start.ToString(), options.MaxPackets, CancellationToken.None);
        }
        catch (Exception ex)
        {
            log.RecoveryStoreFailed(ex, "read");
            return null;
        }

        if (logged is null)
        {
            return null;
        }

        var packets = new List<EncodedPacket>();
        long bytes = 0;
        foreach (var publication in logged)
        {
            if (Replay.PacketFor(publication, socket) is not { } packet)
            {
                continue;
            }

            packets.Add(packet);
            bytes += packet.Size;

            if (packets.Count > options.MaxPacketsPerSocket || bytes > options.MaxBytesPerSocket)
            {
                return null;
            }
        }

        var upTo = logged.Count > 0 && StreamOffset.TryParse(logged[^1].Offset, out var last) ? last : start;
        return new Missed(packets, upTo);
    }

    /// <summary>Ends a suspended socket now (the server disconnected it); false when it is not suspended here.</summary>
    public async ValueTask<bool> EndNowAsync(SocketIoSocket socket)
    {
        return socket.Pid is { } pid && _suspended.ContainsKey(Key(socket.Namespace, pid))
            && await EndAsync(Key(socket.Namespace, pid), DisconnectReason.ServerNamespaceDisconnect);
    }

    /// <summary>
    /// At shutdown: with a store of this server's own, every suspended socket ends now (handlers run); with a
    /// shared store the sessions stay there for another server to take, and this server runs no handler for them.
    /// </summary>
    public async Task ShutdownAsync()
    {
        foreach (var key in _suspended.Keys.ToArray())
        {
            if (!_suspended.TryRemove(key, out var suspension))
            {
                continue;
            }

            suspension.Timer?.Dispose();
            if (!sharedStore)
            {
                await EndLocalAsync(suspension, runHandlers: true);
            }
        }
    }

    /// <summary>
    /// The window is over (or the server ended the socket): if the store still has the record, this server owns
    /// the end and runs the close sequence; if another server took it, the socket lives on there and leaves
    /// this one without handlers.
    /// </summary>
    private async Task<bool> EndAsync(string key, DisconnectReason? reason)
    {
        if (!_suspended.TryRemove(key, out var suspension))
        {
            return false;
        }

        suspension.Timer?.Dispose();
        bool owned;
        try
        {
            owned = await store.TakeSessionAsync(key, CancellationToken.None) is not null;
        }
        catch (Exception ex)
        {
            log.RecoveryStoreFailed(ex, "take");
            owned = true;
        }

        if (reason is { } given)
        {
            suspension = suspension with { Reason = given };
        }

        await EndLocalAsync(suspension, runHandlers: owned);
        return true;
    }

    private async Task EndLocalAsync(Suspension suspension, bool runHandlers)
    {
        try
        {
            await suspension.Connection.EndSuspendedAsync(suspension.Socket, suspension.Reason, runHandlers);
        }
        catch (Exception ex)
        {
            log.SuspensionEndFailed(ex, suspension.Socket.Id);
        }
    }

    private static string Key(string @namespace, string pid) => pid + "@" + @namespace;

    private sealed record Suspension(SocketIoSocket Socket, SocketIoConnection Connection, DisconnectReason Reason)
    {
        public ITimer? Timer { get; set; }
    }

    /// <summary>A session taken for a reconnecting client: its record, and the suspended socket when it was on this server.</summary>
    internal sealed record TakenSession(SessionRecord Record, SocketIoSocket? Local, DisconnectReason LocalReason);

    /// <summary>The events a recovering client missed, and the log position they cover.</summary>
    internal sealed record Missed(IReadOnlyList<EncodedPacket> Packets, StreamOffset UpTo);
}

/// <summary>Holds the optional <see cref="SuspendedSockets"/> in the container (null when recovery is off).</summary>
internal sealed class SuspendedSocketsSource(SuspendedSockets? recovery)
{
    public SuspendedSockets? Recovery { get; } = recovery;
}
