namespace Mesh.Cli.Client;

/// <summary>A failure talking to the command endpoint that meshctl reports as one line with an exit code.</summary>
public abstract class AdminClientException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract int ExitCode { get; }
}

/// <summary>Nothing answered at the endpoint (refused, timed out, unknown host): exit 2 so scripts can tell it apart.</summary>
public sealed class EndpointUnreachableException(MeshEndpoint endpoint, string reason, Exception? inner = null)
    : AdminClientException(
        $"cannot reach command endpoint at {endpoint} ({reason}) — is a mesh member running there?", inner)
{
    public override int ExitCode => ExitCodes.Unreachable;
}

/// <summary>The endpoint answered with an HTTP error status; the message is the server's.</summary>
public sealed class AdminHttpException(int statusCode, string serverMessage)
    : AdminClientException($"{serverMessage} (HTTP {statusCode})")
{
    public int StatusCode { get; } = statusCode;
    public override int ExitCode => ExitCodes.Failure;
}

/// <summary>The endpoint answered 2xx with a body that is not the contracted JSON (e.g. a different service on the port).</summary>
public sealed class AdminProtocolException(string message, Exception? inner = null) : AdminClientException(message, inner)
{
    public override int ExitCode => ExitCodes.Failure;
}
