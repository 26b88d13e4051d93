using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Patterns;
using Channels.Generators.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Channels.Generators.Parser;

/// <summary>
/// Turns one attributed method into a model, or into the rules it breaks. The one source of truth:
/// the generator calls it and skips invalid handlers; the analyzer calls it and reports.
/// </summary>
internal static partial class HandlerParser
{
    public const string AttributeNamespace = "Channels.";

    /// <summary>The handler attributes and the event kind each declares, by metadata name.</summary>
    public static readonly ImmutableArray<(string MetadataName, EventKind Kind)> Attributes =
    [
        ("Channels.OnConnectAttribute", EventKind.Connect),
        ("Channels.OnMessageAttribute", EventKind.Message),
        ("Channels.OnSubscribeAttribute", EventKind.Subscribe),
        ("Channels.OnUnsubscribeAttribute", EventKind.Unsubscribe),
        ("Channels.OnErrorAttribute", EventKind.Error),
        ("Channels.OnDisconnectAttribute", EventKind.Disconnect),
        ("Channels.OnFinishAttribute", EventKind.Finish),
        ("Channels.OnEventAttribute", EventKind.Event),
    ];

    /// <summary>Event names the runtime keeps for itself (Socket.IO's and the channel protocol's).</summary>
    public static readonly ImmutableArray<string> ReservedEventNames =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "subscribe", "unsubscribe", "message", "publish", "presence"];

    /// <summary>Fully qualified, with nullable reference type annotations (<c>global::Line?</c>).</summary>
    public static readonly SymbolDisplayFormat NullableFullyQualified = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static HandlerEntry? Parse(IMethodSymbol method, AttributeData attribute, EventKind kind, KnownTypes known, List<HandlerProblem> problems)
    {
        if (CheckMethodShape(method) is { } shape)
        {
            // Nothing else applies to something generated code cannot call by name.
            problems.Add(shape);
            return null;
        }

        var type = method.ContainingType;
        var start = problems.Count;
        var (lifetimeScoped, socketNamespace) = ReadClassSettings(type, known, problems);
        CheckClass(type, method, problems);

        CompiledPattern? pattern = null;
        string? eventName = null;
        if (kind == EventKind.Event)
        {
            eventName = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            if (string.IsNullOrEmpty(eventName))
            {
                problems.Add(new HandlerProblem(HandlerRule.EmptyEventName, ProblemTarget.AttributeArgument, 0, "An [OnEvent] handler needs a non-empty event name: write [OnEvent(\"name\")] with the name the client emits"));
            }
            else if (ReservedEventNames.Contains(eventName!))
            {
                problems.Add(new HandlerProblem(HandlerRule.ReservedEventName, ProblemTarget.AttributeArgument, 0, ReservedEventMessage(eventName!)));
            }
        }
        else if (kind != EventKind.Connect)
        {
            var text = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string : null;
            pattern = text is null ? null : PatternCompiler.Compile(text);
            if (pattern is { Strategy: PatternStrategy.Invalid })
            {
                problems.Add(new HandlerProblem(HandlerRule.InvalidPattern, ProblemTarget.AttributeArgument, 0, $"Invalid channel pattern: {pattern.Error}", pattern.ErrorOffset));
            }
        }

        var rateLimit = ReadRateLimit(attribute, kind, problems);
        if (method.IsGenericMethod)
        {
            problems.Add(new HandlerProblem(HandlerRule.GenericMethod, ProblemTarget.Method, 0, "Handler methods cannot be generic; give the parameters concrete types"));
        }

        var returnKind = ReadReturn(method, kind, known, problems);
        var parameters = ReadParameters(method, kind, pattern, ChannelFor(kind, pattern is not null), known, problems);
        var constructor = ReadConstructor(type, method.IsStatic ? null : problems);

        if (problems.Count > start)
        {
            return null;
        }

        var classModel = new HandlerClassModel(
            NamespaceName(type.ContainingNamespace),
            new EquatableArray<ContainingTypeModel>(ContainingTypes(type).Select(t => new ContainingTypeModel(Keyword(t), CSharpText.EscapeIdentifier(t.Name)))),
            Keyword(type),
            CSharpText.EscapeIdentifier(type.Name),
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.IsStatic,
            lifetimeScoped,
            socketNamespace,
            new EquatableArray<string>(constructor),
            EquatableArray<HandlerMethodModel>.Empty);

        var methodModel = new HandlerMethodModel(
            CSharpText.EscapeIdentifier(method.Name),
            kind,
            pattern,
            eventName,
            rateLimit,
            method.IsStatic,
            new EquatableArray<ParameterModel>(parameters),
            returnKind,
            method.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
            AttributeText(attribute),
            DeclarationOrder(method),
            CheckedAckType(AckValueType(method, returnKind), known),
            DocumentationCommentId.CreateDeclarationId(method));
        return new HandlerEntry(classModel, methodModel);
    }

    /// <summary>
    /// CHN0021/22/23: generated code calls a handler as <c>Type.Method(…)</c> or <c>handler.Method(…)</c>, which
    /// needs an ordinary method of a class, record or struct. Local functions, lambdas, accessors, operators and
    /// finalizers have no such name; an explicit interface implementation is reachable only through the
    /// interface; an interface's static abstract or virtual members only through a type parameter, and an
    /// interface or a ref struct cannot be the generated table's instance.
    /// </summary>
    public static HandlerProblem? CheckMethodShape(IMethodSymbol method) => method switch
    {
        { MethodKind: MethodKind.ExplicitInterfaceImplementation } =>
            new HandlerProblem(HandlerRule.ExplicitImplementation, ProblemTarget.Method, 0, $"Handler '{method.Name}' cannot be an explicit interface implementation; declare a method of its own and call it"),
        { MethodKind: not MethodKind.Ordinary } =>
            new HandlerProblem(HandlerRule.NotAClassMethod, ProblemTarget.Attribute, 0, "Handler attributes are allowed only on methods of a class; move it to one"),
        { ContainingType: null } =>
            new HandlerProblem(HandlerRule.NotAClassMethod, ProblemTarget.Attribute, 0, "Handler attributes are allowed only on methods of a class; move it to one"),
        { ContainingType.TypeKind: TypeKind.Interface } or { ContainingType.IsRefLikeType: true } =>
            new HandlerProblem(HandlerRule.InterfaceOrRefStruct, ProblemTarget.Method, 0, $"Handlers cannot be declared in {(method.ContainingType.TypeKind == TypeKind.Interface ? "interface" : "ref struct")} '{method.ContainingType.Name}'; use a class"),
        _ => null,
    };

    private static ReturnKind ReadReturn(IMethodSymbol method, EventKind kind, KnownTypes known, List<HandlerProblem> problems)
    {
        var type = method.ReturnType;
        if (method.ReturnsVoid)
        {
            if (method.IsAsync)
            {
                problems.Add(new HandlerProblem(HandlerRule.AsyncVoid, ProblemTarget.ReturnType, 0, "Handler methods cannot be async void; return Task or ValueTask"));
            }

            return ReturnKind.Void;
        }

        if (known.Is(type, known.Task))
        {
            return ReturnKind.Task;
        }

        if (known.Is(type, known.ValueTask))
        {
            return ReturnKind.ValueTask;
        }

        var canReject = kind is EventKind.Connect or EventKind.Subscribe;
        var inner = type is INamedTypeSymbol { IsGenericType: true } named ? named.TypeArguments[0] : null;
        var isTask = known.IsConstructedFrom(type, known.TaskOfT);
        var isValueTask = known.IsConstructedFrom(type, known.ValueTaskOfT);
        if (canReject)
        {
            if (type.SpecialType == SpecialType.System_Boolean)
            {
                return ReturnKind.Bool;
            }

            if ((isTask || isValueTask) && inner!.SpecialType == SpecialType.System_Boolean)
            {
                return isTask ? ReturnKind.TaskBool : ReturnKind.ValueTaskBool;
            }
        }
        else if (kind == EventKind.Event && type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer) && !type.IsRefLikeType)
        {
            return isTask ? ReturnKind.TaskValue : isValueTask ? ReturnKind.ValueTaskValue : ReturnKind.Value;
        }

        var allowed = kind switch
        {
            EventKind.Connect or EventKind.Subscribe => "void, Task, ValueTask, bool, Task<bool> or ValueTask<bool>",
            EventKind.Event => "void, Task, ValueTask, a value (not a ref struct or pointer), Task<T> or ValueTask<T>",
            _ => "void, Task or ValueTask",
        };
        problems.Add(new HandlerProblem(HandlerRule.BadReturnType, ProblemTarget.ReturnType, 0, $"[{kind.AttributeName()}] handlers must return {allowed}"));
        return ReturnKind.Void;
    }

    /// <summary>Whether an event of <paramref name="kind"/> has a channel for a <c>string channel</c> parameter.</summary>
    /// <remarks>
    /// Read from the runtime's dispatch: connect and custom events have none; subscribe and unsubscribe always
    /// have one; a handler with a pattern only runs for a channel its pattern matched; without a pattern, a
    /// message, error, disconnect or finish handler also runs with no channel (a plain message, an error
    /// outside any channel, the socket-wide events).
    /// </remarks>
    public static ChannelAvailability ChannelFor(EventKind kind, bool hasPattern) => kind switch
    {
        EventKind.Connect or EventKind.Event => ChannelAvailability.None,
        EventKind.Subscribe or EventKind.Unsubscribe => ChannelAvailability.Always,
        _ => hasPattern ? ChannelAvailability.Always : ChannelAvailability.MaybeNull,
    };

    private static List<ParameterModel> ReadParameters(IMethodSymbol method, EventKind kind, CompiledPattern? pattern, ChannelAvailability channel, KnownTypes known, List<HandlerProblem> problems)
    {
        var result = new List<ParameterModel>();
        var seen = new HashSet<BindingKind>();
        var argument = 0;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var type = parameter.Type;
            var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var acceptsNull = parameter.NullableAnnotation != NullableAnnotation.NotAnnotated;
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                problems.Add(new HandlerProblem(HandlerRule.RefKindParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' cannot be ref, out, in or params; take it by value"));
                continue;
            }

            if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                problems.Add(new HandlerProblem(HandlerRule.PointerParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' cannot be a pointer or a function pointer; take a managed type (ReadOnlyMemory<byte> for binary data)"));
                continue;
            }

            if (pattern?.Groups.FirstOrDefault(g => g.Name == parameter.Name) is { } group)
            {
                if (ReadCapture(parameter, i, group, pattern, known, problems) is { } capture)
                {
                    result.Add(capture);
                }

                continue;
            }

            if (channel == ChannelAvailability.None && GroupElsewhere(method, parameter.Name) is { } elsewhere)
            {
                problems.Add(new HandlerProblem(HandlerRule.ChannelNotAvailable, ProblemTarget.Parameter, i,
                    $"[{kind.AttributeName()}] events have no channel, so parameter '{parameter.Name}' cannot bind group '{parameter.Name}' of pattern '{elsewhere.Pattern}' on '{elsewhere.Method}': only a handler whose own pattern declares the group binds it; rename the parameter if it is meant to be something else"));
                continue;
            }

            BindingKind? binding =
                known.Is(type, known.ChannelSocket) ? BindingKind.Socket
                : known.Is(type, known.HttpContext) ? BindingKind.HttpContext
                : known.IsContextDictionary(type) ? BindingKind.Context
                : known.Is(type, known.CancellationToken) ? BindingKind.CancellationToken
                : type.SpecialType == SpecialType.System_String && parameter.Name == "channel" ? BindingKind.Channel
                : kind == EventKind.Error && known.IsException(type) ? BindingKind.Exception
                : null;

            if (binding == BindingKind.Channel && channel == ChannelAvailability.None)
            {
                problems.Add(new HandlerProblem(HandlerRule.ChannelNotAvailable, ProblemTarget.Parameter, i, NoChannelMessage(parameter.Name, kind)));
                continue;
            }

            if (binding == BindingKind.Channel && channel == ChannelAvailability.MaybeNull && !acceptsNull)
            {
                problems.Add(new HandlerProblem(HandlerRule.ChannelMayBeNull, ProblemTarget.Parameter, i, $"[{kind.AttributeName()}] handlers without a pattern also run with no channel: declare '{parameter.Name}' as string?"));
                continue;
            }

            if (binding is null)
            {
                if (kind is not (EventKind.Message or EventKind.Event))
                {
                    problems.Add(new HandlerProblem(HandlerRule.UnbindableParameter, ProblemTarget.Parameter, i, UnbindableMessage(parameter.Name, type.ToDisplayString(), kind)));
                    continue;
                }

                binding = type.SpecialType == SpecialType.System_String ? BindingKind.PayloadString
                    : known.Is(type, known.JsonElement) ? BindingKind.PayloadElement
                    : known.IsBinary(type) ? BindingKind.PayloadBinary
                    : BindingKind.PayloadValue;
                if (binding == BindingKind.PayloadValue && WhyNotPayload(type, known) is { } reason)
                {
                    problems.Add(new HandlerProblem(HandlerRule.UnbindableParameter, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' of type '{type.ToDisplayString()}' cannot be bound: {reason}"));
                    continue;
                }

                if (binding == BindingKind.PayloadValue && FirstInaccessible(type) is { } hidden)
                {
                    problems.Add(new HandlerProblem(HandlerRule.PayloadTypeNotAccessible, ProblemTarget.Parameter, i, $"Type '{hidden.ToDisplayString()}' of parameter '{parameter.Name}' must be internal or public: the generated code deserializes it")
                    {
                        Fix = MetadataName(hidden),
                    });
                    continue;
                }

                if (kind == EventKind.Message && argument > 0)
                {
                    problems.Add(new HandlerProblem(HandlerRule.DuplicateBinding, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' competes with another parameter for the message: [OnMessage] binds one; remove one of them"));
                    continue;
                }

                // A payload's type keeps its nullable annotations (List<string?>), so the value generated code
                // deserializes converts to the parameter without a nullability warning.
                var payloadType = binding == BindingKind.PayloadValue ? type.ToDisplayString(NullableFullyQualified) : typeName;
                // Null is refused where the parameter cannot hold it: a non-nullable string or reference type (a
                // value type refuses JSON null when it is deserialized).
                var takesNull = binding switch
                {
                    BindingKind.PayloadString => acceptsNull,
                    BindingKind.PayloadValue => acceptsNull || type.IsValueType,
                    _ => false,
                };
                result.Add(new ParameterModel(binding.Value, payloadType, argument++, takesNull));
                continue;
            }

            if (!seen.Add(binding.Value))
            {
                problems.Add(new HandlerProblem(HandlerRule.DuplicateBinding, ProblemTarget.Parameter, i, $"Parameter '{parameter.Name}' binds the same value as another parameter; remove one of them"));
                continue;
            }

            result.Add(new ParameterModel(binding.Value, typeName, -1, binding == BindingKind.Channel && acceptsNull));
        }

        return result;
    }
}
