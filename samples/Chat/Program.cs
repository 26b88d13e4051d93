// The chat demo: a list of rooms, a room page with a nickname, who is there, joins and leaves, and
// messages; staff send system messages with POST /system (header X-Staff-Key). In memory, no services.
//
//   dotnet run --project samples/Chat -- --urls http://localhost:5000
//   dotnet watch --project samples/Chat        (reloads on edits of handlers and pages)
using System.Text.Json;
using Channels;
using Channels.Samples.Chat;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton<ChatRooms>();
builder.Services.AddChannels(o => o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ChatJson.Default));
var staffKey = builder.Configuration["Chat:StaffKey"] ?? "staff";

var app = builder.Build();
app.MapChannels();

app.MapGet("/", () => Page("index.html"));
app.MapGet("/room/{name}", (string name) => Page("room.html"));
app.MapGet("/rooms", (ChatRooms rooms) => Results.Json(rooms.Snapshot(), ChatJson.Default.DictionaryStringStringArray));
app.MapPost("/system", async (HttpRequest request, IChannelPublisher publisher) =>
{
    if (request.Headers["X-Staff-Key"] != staffKey)
    {
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    SystemLine? line;
    try
    {
        line = await JsonSerializer.DeserializeAsync(request.Body, ChatJson.Default.SystemLine);
    }
    catch (JsonException)
    {
        return Results.BadRequest();
    }

    if (line is null || string.IsNullOrWhiteSpace(line.Text))
    {
        return Results.BadRequest();
    }

    var message = new ChatLine("system", line.Text, "system");
    if (line.Room is { Length: > 0 } room)
    {
        await publisher.BroadcastChannelAsync(message, "room-" + room);
    }
    else
    {
        await publisher.BroadcastAsync(message);
    }

    return Results.Accepted();
});

app.Run();

static IResult Page(string name)
{
    using var stream = typeof(ChatRooms).Assembly.GetManifestResourceStream(name)!;
    using var reader = new StreamReader(stream);
    return Results.Content(reader.ReadToEnd(), "text/html; charset=utf-8");
}
