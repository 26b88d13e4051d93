// The chat demo: a list of rooms, a room page with a nickname, who is there, joins and leaves, and
// messages; staff send system messages with POST /system (header X-Staff-Key). In memory, no services,
// unless ConnectionStrings:Redis is set (then several instances share the rooms; see docs/scale-out.md).
// Traces and metrics go where OpenTelemetry:Exporter says (console | otlp | none, the default; Telemetry.cs);
// the Socket.IO Admin UI is on when AdminUI:Password is set.
//
//   dotnet run --project samples/Chat -- --urls http://localhost:5000
//   dotnet watch --project samples/Chat        (reloads on edits of handlers and pages)
using System.Text.Json;
using Channels;
using Channels.Samples.Chat;

var builder = WebApplication.CreateSlimBuilder(args);
var channels = builder.Services.AddChannels(o =>
{
    o.JsonSerializerOptions.TypeInfoResolverChain.Insert(0, ChatJson.Default);

    // A page whose connection drops for a moment (a phone changing networks) comes back to the same socket
    // and gets the lines it missed; the room sees no leave and no join (docs/handlers.md).
    o.ConnectionStateRecovery = new();

    // Pages of other origins that may connect, e.g. the Socket.IO Admin UI served elsewhere
    // (Chat__AllowedOrigins__0=https://admin.socket.io).
    foreach (var origin in builder.Configuration.GetSection("Chat:AllowedOrigins").GetChildren())
    {
        if (origin.Value is { Length: > 0 } allowed)
        {
            o.AllowedOrigins.Add(allowed);
        }
    }
});

// The stock Socket.IO Admin UI (namespace /admin) when a password is set: AdminUI__Password=…, log in as
// AdminUI:Username ("admin" by default); see docs/observability.md.
if (builder.Configuration["AdminUI:Password"] is { Length: > 0 } adminPassword)
{
    channels.AddAdminUI(o =>
    {
        o.Username = builder.Configuration["AdminUI:Username"] ?? "admin";
        o.Password = adminPassword;
    });
}

// In memory by default; with ConnectionStrings:Redis (e.g. ConnectionStrings__Redis=127.0.0.1:6379)
// rooms span every instance that uses the same Redis.
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    channels.AddRedisBackplane(redis);
}
builder.AddChatTelemetry();
var staffKey = builder.Configuration["Chat:StaffKey"] ?? "staff";

var app = builder.Build();
app.MapChannels();

var pages = app.Environment.ContentRootPath;
app.MapGet("/", () => Page(pages, "index.html"));
app.MapGet("/room/{name}", (string name) => Page(pages, "room.html"));
app.MapGet("/rooms", async (IChannelPublisher publisher) =>
{
    // Every room someone holds (on any instance), and who is there: the room's presence.
    var rooms = new Dictionary<string, string[]>(StringComparer.Ordinal);
    var held = (await publisher.All.FetchSocketsAsync()).SelectMany(s => s.Channels).Where(c => c.StartsWith("room-", StringComparison.Ordinal));
    foreach (var channel in held.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
    {
        var members = await publisher.Channel(channel).PresenceAsync();
        rooms[channel["room-".Length..]] = [.. members.Values.Select(m => m.GetProperty("name").GetString() ?? "").Order(StringComparer.OrdinalIgnoreCase)];
    }

    return Results.Json(rooms, ChatJson.Default.DictionaryStringStringArray);
});
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
        await publisher.Channel("room-" + room).SendAsync(message);
    }
    else
    {
        await publisher.All.SendAsync(message);
    }

    return Results.Accepted();
});

app.Run();

// A page is read from the project folder when it is there (dotnet run / dotnet watch: an edited page
// shows on the next refresh), else from the copy embedded in the binary (a published app).
static IResult Page(string folder, string name)
{
    var file = Path.Combine(folder, name);
    if (File.Exists(file))
    {
        return Results.Content(File.ReadAllText(file), "text/html; charset=utf-8");
    }

    using var stream = typeof(ChatHandlers).Assembly.GetManifestResourceStream(name)!;
    using var reader = new StreamReader(stream);
    return Results.Content(reader.ReadToEnd(), "text/html; charset=utf-8");
}
