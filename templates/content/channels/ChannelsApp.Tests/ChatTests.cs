using Channels.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ChannelsApp.Tests;

/// <summary>
/// The app in memory (<see cref="WebApplicationFactory{TEntryPoint}"/>), with test clients that speak the
/// real Socket.IO protocol to it: the handlers run exactly as in production.
/// </summary>
public sealed class ChatTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task A_line_said_in_a_room_reaches_everyone_in_it()
    {
        await using var ann = await ChannelsTestClient.ConnectAsync(factory.Server);
        await using var bob = await ChannelsTestClient.ConnectAsync(factory.Server);
        await ann.SubscribeAsync("room-lobby");
        await bob.SubscribeAsync("room-lobby");

        await ann.PublishAsync("room-lobby", new ChatLine("ann", "hello"));

        Assert.Equal(new ChatLine("ann", "hello"), (await bob.NextMessageAsync("room-lobby")).Get<ChatLine>());
        Assert.Equal(new ChatLine("ann", "hello"), (await ann.NextMessageAsync("room-lobby")).Get<ChatLine>());
    }

    [Fact]
    public async Task Channels_that_are_not_rooms_are_refused()
    {
        await using var client = await ChannelsTestClient.ConnectAsync(factory.Server);

        Assert.True((await client.SubscribeAsync("room-lobby")).Ok);
        Assert.False((await client.SubscribeAsync("room-Not Allowed")).Ok);
        Assert.False((await client.SubscribeAsync("user-42")).Ok);
    }

    [Fact]
    public async Task A_custom_event_answers_with_its_return_value()
    {
        await using var client = await ChannelsTestClient.ConnectAsync(factory.Server);

        Assert.Equal("pong", (await client.EmitWithAckAsync("ping")).GetString());
    }
}
