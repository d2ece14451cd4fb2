using Mesh.Cli;

// Composition root: real console, real environment, Ctrl-C → cancellation (verbs decide what that means).
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // let the verb unwind and pick the exit code instead of the runtime killing the process
    cts.Cancel();
};

return await MeshctlApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, cts.Token);
