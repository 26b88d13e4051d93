using System.Text.Json;
using Channels.Dispatch;
using Channels.Sockets;
using Channels.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Recovery;

/// <summary>
/// What a client may claim in a recovery CONNECT (<c>{"pid","offset"}</c>), from a raw WebSocket: anything
/// that does not check out gets a fresh session, never another client's; pids are unguessable.
/// </summary>
public sealed class RecoveryInputTests
{
    [Fact]
    public async Task The_CONNECT_reply_carries_an_unguessable_pid_and_events_carry_offsets()
    {
        await using var server = await StartAsync();
        await using var a = await ConnectAsync(server, "");
        Assert.True(a.Pid.Length >= 22, $"pid '{a.Pid}' has fewer than 128 bits");
        Assert.NotEqual(a.Sid, a.Pid);
        await Publisher(server).Socket(a.Sid).EmitAsync("hello", "x");
        Assert.Matches("^42\\[\"hello\",\"x\",\"[0-9]+-[0-9]+\"\\]$", await a.Socket.ReceivePacketAsync());
    }

    [Fact]
    public async Task A_forged_pid_gets_a_fresh_session_and_leaves_the_real_one_recoverable()
    {
        await using var server = await StartAsync();
        var a = await ConnectAsync(server, "");
        var offset = await ReceiveOffsetAsync(server, a);
        await DropAsync(server, a);

        await using var forged = await ConnectAsync(server, $$"""{"pid":"AAAAAAAAAAAAAAAAAAAAAA","offset":"{{offset}}"}""");
        Assert.NotEqual(a.Sid, forged.Sid);
        Assert.NotEqual(a.Pid, forged.Pid);

        await using var back = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}","offset":"{{offset}}"}""");
        Assert.Equal(a.Sid, back.Sid);
        Assert.Equal(a.Pid, back.Pid);
    }

    [Theory]
    [InlineData("\"zzzz\"")]
    [InlineData("\"99999999999999-0\"")]
    [InlineData("\"-1\"")]
    [InlineData("\"1-2-3\"")]
    public async Task An_offset_that_is_not_one_the_server_gave_gets_a_fresh_session_and_ends_the_old_one(string offset)
    {
        var finished = 0;
        await using var server = await StartAsync(h => h.Add(ChannelEventKind.Finish, _ => Interlocked.Increment(ref finished)));
        var a = await ConnectAsync(server, "");
        await ReceiveOffsetAsync(server, a);
        await DropAsync(server, a);

        await using var fresh = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}","offset":{{offset}}}""");
        Assert.NotEqual(a.Sid, fresh.Sid);
        Assert.Equal(1, Volatile.Read(ref finished));
        Assert.Equal(0, Suspended(server).Count);
    }

    [Fact]
    public async Task An_offset_that_is_not_a_string_is_no_recovery_request_and_leaves_the_session_alone()
    {
        await using var server = await StartAsync();
        var a = await ConnectAsync(server, "");
        await ReceiveOffsetAsync(server, a);
        await DropAsync(server, a);

        await using var fresh = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}","offset":12}""");
        Assert.NotEqual(a.Sid, fresh.Sid);
        Assert.Equal(1, Suspended(server).Count);
    }

    [Fact]
    public async Task A_client_whose_missed_events_left_the_log_gets_a_fresh_session()
    {
        await using var server = await StartAsync(configure: r => (r.MaxPackets, r.MaxPacketsPerSocket) = (3, 3));
        var a = await ConnectAsync(server, "");
        var offset = await ReceiveOffsetAsync(server, a);
        await DropAsync(server, a);
        for (var i = 0; i < 5; i++)
        {
            await Publisher(server).All.EmitAsync("missed", i);
        }

        await using var fresh = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}","offset":"{{offset}}"}""");
        Assert.NotEqual(a.Sid, fresh.Sid);
    }

    [Fact]
    public async Task A_client_that_missed_more_than_its_bound_gets_a_fresh_session_not_a_partial_replay()
    {
        await using var server = await StartAsync(configure: r => r.MaxPacketsPerSocket = 2);
        var a = await ConnectAsync(server, "");
        var offset = await ReceiveOffsetAsync(server, a);
        await DropAsync(server, a);
        for (var i = 0; i < 3; i++)
        {
            await Publisher(server).Socket(a.Sid).EmitAsync("missed", i);
        }

        await using var fresh = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}","offset":"{{offset}}"}""");
        Assert.NotEqual(a.Sid, fresh.Sid);
    }

    [Fact]
    public async Task A_client_that_never_got_an_event_recovers_without_an_offset()
    {
        await using var server = await StartAsync();
        var a = await ConnectAsync(server, "");
        await DropAsync(server, a);
        await Publisher(server).All.EmitAsync("missed", 1);

        await using var back = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}"}""", expectBefore: 1);
        Assert.Equal(a.Sid, back.Sid);
        Assert.Matches("^42\\[\"missed\",1,\"[0-9]+-[0-9]+\"\\]$", back.Before[0]);
    }

    [Fact]
    public async Task A_client_that_says_goodbye_to_the_namespace_is_not_kept()
    {
        await using var server = await StartAsync();
        var a = await ConnectAsync(server, "");
        await a.Socket.SendTextAsync("41");
        await using var fresh = await ConnectAsync(server, $$"""{"pid":"{{a.Pid}}"}""");
        Assert.NotEqual(a.Sid, fresh.Sid);
        Assert.Equal(0, Suspended(server).Count);
        await a.DisposeAsync();
    }

    private static Task<TestServer> StartAsync(Action<HandlerList>? handlers = null, Action<ConnectionStateRecoveryOptions>? configure = null)
    {
        var list = new HandlerList();
        handlers?.Invoke(list);
        return TestServer.StartAsync(list, o =>
        {
            o.ConnectionStateRecovery = new();
            configure?.Invoke(o.ConnectionStateRecovery);
        });
    }

    private static IChannelPublisher Publisher(TestServer server) => server.Services.GetRequiredService<IChannelPublisher>();

    private static SuspendedSockets Suspended(TestServer server) => server.Services.GetRequiredService<SuspendedSocketsSource>().Recovery!;

    /// <summary>Opens a WebSocket and sends CONNECT with <paramref name="auth"/>; reads <paramref name="expectBefore"/> events, then the reply.</summary>
    private static async Task<Connected> ConnectAsync(TestServer server, string auth, int expectBefore = 0)
    {
        using var raw = new RawClient(server.Address);
        var (socket, _) = await raw.OpenWebSocketAsync("/socket.io");
        await socket.SendTextAsync("40" + auth);
        var before = new List<string>();
        for (var i = 0; i < expectBefore; i++)
        {
            before.Add(await socket.ReceivePacketAsync());
        }

        var reply = await socket.ReceivePacketAsync();
        Assert.StartsWith("40{", reply, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(reply[2..]);
        return new Connected(socket, json.RootElement.GetProperty("sid").GetString()!, json.RootElement.GetProperty("pid").GetString()!, before);
    }

    /// <summary>Has the server send the client an event, and returns the offset it carried.</summary>
    private static async Task<string> ReceiveOffsetAsync(TestServer server, Connected client)
    {
        await Publisher(server).Socket(client.Sid).EmitAsync("first");
        using var json = JsonDocument.Parse((await client.Socket.ReceivePacketAsync())[2..]);
        return json.RootElement[json.RootElement.GetArrayLength() - 1].GetString()!;
    }

    /// <summary>Cuts the connection and waits until the server has suspended the socket.</summary>
    private static async Task DropAsync(TestServer server, Connected client)
    {
        var before = Suspended(server).Count;
        await client.Socket.DisposeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (Suspended(server).Count == before)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private sealed record Connected(WsClient Socket, string Sid, string Pid, IReadOnlyList<string> Before) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Socket.DisposeAsync();
    }
}
