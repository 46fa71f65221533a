using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelPrune.Engine.Common;
using Onnx;

namespace ModelPrune.Engine.Onnx;

/// <summary>
/// An ONNX Runtime session on a model the engine holds in memory, whose weights ORT on the CPU uses where they lie: each large
/// initializer is handed over as a pre-allocated initializer (<see cref="SessionOptions.AddInitializer"/>) on the
/// engine's own bytes (a managed array, pinned, or a mapped file), and the model ORT parses is the graph alone.
/// Loading MiniLM (91 MB) this way takes 15–30 ms where ORT parsing the same model from one protobuf takes 300–600 ms,
/// and ORT holds no copy of the weights: from a protobuf it holds the parsed message and its own tensors while loading,
/// and a file pair costs writing the weights out first (4.4 GB for the LLaMA-layout benchmark model).
/// </summary>
/// <remarks>
/// ORT checks that an external data file exists even for an initializer it is given, so the graph's large initializers
/// point at an empty file that nothing reads; both files are gone once the session exists. The pins and values are
/// released with the session, which ORT requires: the buffers must outlive it. Mapped tensors the session read hand
/// their pages back then (<see cref="MappedDataFile.ReleasePages"/>), as every read pass over a mapped model does: a
/// run of a 4.4 GB model through ORT otherwise leaves 4.4 GB resident.
/// </remarks>
internal sealed class SharedTensorSession : InferenceSession
{
    /// <summary>The file the graph's shared initializers name as their external data: empty, never read.</summary>
    internal const string UnreadDataFileName = "shared-initializers.unread";

    /// <summary>Tensors this small stay inside the graph: a pin and an OrtValue each would cost more than copying them.</summary>
    private const int SharedFromBytes = ExternalDataLayout.SizeThreshold;

    private readonly SharedTensors _tensors;

    private SharedTensorSession(string modelPath, SessionOptions options, SharedTensors tensors)
        : base(modelPath, options) => _tensors = tensors;

    /// <summary>
    /// Opens <paramref name="model"/> (left unchanged). On the CPU the session reads the engine's tensor bytes until it is
    /// disposed: the caller must not change them meanwhile (pruning in place, a spill re-pointing them).
    /// </summary>
    /// <param name="options">The caller's options, with <paramref name="device"/> configured; the caller disposes them.</param>
    /// <param name="protobufLimitBytes">Off the CPU, past this the model goes as a file pair; tests lower it instead of building a 2 GiB model.</param>
    public static InferenceSession Open(ModelProto model, SessionOptions options, ExecutionDevice device,
        long protobufLimitBytes = OnnxModelWriter.ProtobufLimitBytes)
    {
        if (!device.IsCpu) return OpenSerialized(model, options, protobufLimitBytes);

        var tensors = new SharedTensors();
        try
        {
            var graphOnly = model.Clone();
            foreach (var initializer in graphOnly.Graph.Initializer)
            {
                if (tensors.TryShare(initializer) is { } value)
                {
                    options.AddInitializer(initializer.Name, value);
                }
            }

            using var folder = ScratchFolder.Create(Path.GetTempPath(), "modelprune-session");
            var path = Path.Combine(folder.Path, "model.onnx");
            File.WriteAllBytes(Path.Combine(folder.Path, UnreadDataFileName), Array.Empty<byte>());
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                graphOnly.WriteTo(file);
            }

            // ORT has read the graph and bound the initializers by the time the folder goes.
            return new SharedTensorSession(path, options, tensors);
        }
        catch
        {
            tensors.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Off the CPU ORT takes a given initializer only where it plans it in host memory; one it places on the device it
    /// reads from the model instead (microsoft/onnxruntime#5092), here an empty file. So there the model goes to ORT
    /// whole: one protobuf, or past the protobuf limit a file pair in the temporary folder, removed once the session
    /// holds what it needs.
    /// </summary>
    private static InferenceSession OpenSerialized(ModelProto model, SessionOptions options, long protobufLimitBytes)
    {
        if (!OnnxModelWriter.UsesExternalData(model, ExternalDataMode.Auto, string.Empty, protobufLimitBytes))
        {
            return new InferenceSession(model.ToByteArray(), options);
        }

        using var folder = ScratchFolder.Create(Path.GetTempPath(), "modelprune-session");
        var path = Path.Combine(folder.Path, "model.onnx");
        OnnxModelWriter.WriteWithExternalData(model, path, ExternalDataLayout.DataPathFor(path), protobufLimitBytes);
        return new InferenceSession(path, options);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _tensors.Dispose();
            NativeHeap.Trim();
        }
    }

    /// <summary>The pinned bytes and ORT values of the shared initializers.</summary>
    private sealed class SharedTensors : IDisposable
    {
        private readonly List<(ReadOnlyMemory<byte> Bytes, MemoryHandle Pin)> _pinned = new();
        private readonly List<OrtValue> _values = new();

        /// <summary>
        /// An ORT value on <paramref name="tensor"/>'s raw bytes, the tensor in the graph turned into a reference to the
        /// unread file; or null where it stays in the graph (small, typed fields, or a type ORT values cannot wrap).
        /// </summary>
        public unsafe OrtValue? TryShare(TensorProto tensor)
        {
            var bytes = tensor.RawData;
            if (bytes.Length < SharedFromBytes || tensor.DataLocation == TensorProto.Types.DataLocation.External) return null;
            if (ElementSize(tensor.DataType) is not { } size || Count(tensor) * size != bytes.Length) return null;

            var pin = bytes.Memory.Pin();
            _pinned.Add((bytes.Memory, pin));
            var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (TensorElementType)tensor.DataType,
                tensor.Dims.ToArray(), (IntPtr)pin.Pointer, bytes.Length);
            _values.Add(value);

            tensor.RawData = ByteString.Empty;
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = UnreadDataFileName });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString(CultureInfo.InvariantCulture) });
            return value;
        }

        public void Dispose()
        {
            foreach (var value in _values) value.Dispose();
            foreach (var (bytes, pin) in _pinned)
            {
                pin.Dispose();
                MappedDataFile.ReleasePages(bytes);
            }

            _values.Clear();
            _pinned.Clear();
        }

        private static long Count(TensorProto tensor) => tensor.Dims.Aggregate(1L, (product, dim) => product * dim);

        /// <summary>Bytes per element of the fixed-size types ORT values wrap; null for strings, complex and sub-byte types.</summary>
        private static int? ElementSize(int dataType) => (TensorProto.Types.DataType)dataType switch
        {
            TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
            TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16
                or TensorProto.Types.DataType.Bfloat16 => 2,
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            _ => null,
        };
    }
}
