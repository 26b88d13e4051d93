using Channels.Testing;
using Channels.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Handlers.Tests;

/// <summary>
/// This project's handlers tested the way a user tests theirs, with <c>Channels.SDK.Testing</c>: the app in
/// memory (<see cref="ChannelsTestHost"/>), the real protocol (<see cref="ChannelsTestClient"/>), the generated
/// table and the real dispatch.
/// </summary>
public sealed class TestKitTests
{
    private readonly EventJournal _journal = new();

    private Task<ChannelsTestHost> StartAsync() => ChannelsTestHost.StartAsync(builder =>
    {
        builder.Services.AddSingleton(_journal);
        builder.Services.AddScoped<ScopedCounter>();
        builder.Services.AddChannels(Configure);
    });

    /// <summary>The options of these tests, also for the app on Kestrel.</summary>
    private static void Configure(ChannelsOptions options)
    {
        options.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, HandlersJson.Default);

        // Two votes per connection, then (practically) none: no clock is read by the test.
        options.EventRateLimits["votes"] = new EventRateLimit { PermitsPerSecond = 0.001, Burst = 2 };
    }

    [Fact]
    public async Task Typed_arguments_bind_in_order_and_the_return_value_is_the_ack()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync();

        var total = await client.EmitWithAckAsync("add", 2, 3);

        Assert.Equal(5, total.GetProperty("sum").GetInt32());
    }

    [Fact]
    public async Task Scoped_handlers_get_a_fresh_scope_per_event_and_see_it_as_the_request_services()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync();

        var first = (await client.EmitWithAckAsync("scope-id")).GetInt32();
        var second = (await client.EmitWithAckAsync("scope-id")).GetInt32();
        var sameScope = (await client.EmitWithAckAsync("scope-of-request-services")).GetBoolean();

        Assert.NotEqual(first, second);
        Assert.True(sameScope);
    }

    [Fact]
    public async Task A_room_message_reaches_the_other_subscribers_not_the_sender()
    {
        await using var host = await StartAsync();
        await using var ann = await host.ConnectAsync();
        await using var bob = await host.ConnectAsync();
        Assert.True((await ann.SubscribeAsync("room-1")).Ok);
        Assert.True((await bob.SubscribeAsync("room-1")).Ok);

        var published = await ann.PublishAsync("room-1", new ChatLine("ann", "hi"));
        var received = await bob.NextMessageAsync("room-1");

        Assert.True(published.Ok);
        Assert.Equal(new ChatLine("ann", "hi"), received.Get<ChatLine>());
        Assert.Equal("room-1", received.Channel);
        Assert.DoesNotContain(ann.Unread, e => e.Name == "message");
        Assert.Contains($"message:room-1:ann:hi", _journal.Entries);
    }

    [Fact]
    public async Task The_query_and_headers_of_the_handshake_reach_the_handlers()
    {
        await using var host = await StartAsync();
        var options = new ChannelsTestClientOptions();
        options.Query["room"] = "blue sky";
        options.Headers["X-Trace"] = "t-1";
        await using var client = await host.ConnectAsync(options);

        Assert.Equal("blue sky|t-1", (await client.EmitWithAckAsync("handshake")).GetString());
    }

    [Fact]
    public async Task A_refused_connect_and_a_refused_subscribe_say_why()
    {
        await using var host = await StartAsync();

        var refused = await Assert.ThrowsAsync<ChannelsTestException>(() => host.ConnectAsync(new ChannelsTestClientOptions { Auth = new { token = "bad" } }));
        await using var good = await host.ConnectAsync();
        var closed = await good.SubscribeAsync("room-closed");

        Assert.Equal("The server refused the connection: Connection rejected", refused.Message);
        Assert.False(closed.Ok);
    }

    [Fact]
    public async Task An_event_over_the_limit_its_handler_names_is_refused_and_its_handler_does_not_run()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync();

        var answers = new List<string>();
        foreach (var choice in new[] { "red", "blue", "green" })
        {
            var answer = await client.EmitWithAckAsync("vote", choice);
            answers.Add(answer.ValueKind == System.Text.Json.JsonValueKind.Object ? answer.GetProperty("error").GetString()! : answer.GetString()!);
        }

        Assert.Equal(["counted", "counted", "rate limit 'votes' exceeded"], answers);
        Assert.Equal(["vote:red", "vote:blue"], _journal.Entries.Where(e => e.StartsWith("vote:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_client_answers_what_the_server_asks_with_an_ack()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync();
        client.Answer("question", question => question.Get<string>() == "what is 6x7?" ? "42" : "no idea");

        var answer = await client.EmitWithAckAsync("quiz");

        Assert.Equal("42", answer.GetString());
        Assert.Equal("question", (await client.NextAsync("question")).Name);
    }

    [Fact]
    public async Task Answers_can_be_given_in_the_options_before_connecting()
    {
        await using var host = await StartAsync();
        var options = new ChannelsTestClientOptions();
        options.Answers["question"] = _ => "41 + 1";
        await using var client = await host.ConnectAsync(options);

        Assert.Equal("41 + 1", (await client.EmitWithAckAsync("quiz")).GetString());
    }

    [Fact]
    public async Task Leaving_runs_the_close_sequence_on_the_server()
    {
        await using var host = await StartAsync();
        var client = await host.ConnectAsync();
        await client.SubscribeAsync("room-2");
        await client.SubscribeAsync("room-3");

        var left = await client.UnsubscribeAsync("room-3");
        var notHeld = await client.UnsubscribeAsync("room-3");
        await client.DisposeAsync();
        await _journal.WaitForAsync("finish:room-2");

        Assert.Equal(new ChannelAck(true), left);
        Assert.Equal(new ChannelAck(false, "not subscribed to channel 'room-3'"), notHeld);
        Assert.Equal("io client disconnect", await client.Disconnected);
        Assert.Equal(["unsubscribe:room-3", "disconnect", "unsubscribe:room-2", "finish:room-2"], _journal.Entries.Where(e => e is "disconnect" || e.StartsWith("unsubscribe:", StringComparison.Ordinal) || e.StartsWith("finish:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_wait_that_times_out_says_what_it_waited_for_and_what_came_instead()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync();
        await client.EmitAsync("quiz");
        for (var i = 0; i < 100 && client.Unread.Count == 0; i++)
        {
            await Task.Delay(50);
        }

        var nothing = await Assert.ThrowsAsync<TimeoutException>(() => client.NextMessageAsync("room-9", TimeSpan.FromMilliseconds(200)));

        Assert.StartsWith($"No message on 'room-9' within 0.2 s on socket {client.Id}. Unread: question [\"what is 6x7?\"]", nothing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_client_speaks_to_the_app_on_Kestrel_over_loopback()
    {
        await using var server = await TestServer.StartAsync(configure: Configure, services: s =>
        {
            s.AddSingleton(_journal);
            s.AddScoped<ScopedCounter>();
        });
        await using var client = await ChannelsTestClient.ConnectOverNetworkAsync(server.Address);

        var total = await client.EmitWithAckAsync("add", 20, 22);

        Assert.Equal(42, total.GetProperty("sum").GetInt32());
    }
}
