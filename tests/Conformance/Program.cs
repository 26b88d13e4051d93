// The reference servers of the official Engine.IO v4 and Socket.IO v5 protocol test suites, on one
// port: /engine.io/ echoes every message; /socket.io/ emits "auth" on connect (on / and /custom),
// answers "message" with "message-back" and acks "message-with-ack" with its own arguments.
//
//   dotnet run --project tests/Conformance -- --urls http://127.0.0.1:3000
using Channels;
using Channels.Conformance;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddChannels(ConformanceServer.Configure).AddHandlers(_ => new ConformanceHandlers());

var app = builder.Build();
app.MapChannels();
app.MapEngineEcho("/engine.io");
app.Run();
