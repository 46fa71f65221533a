using System.Globalization;
using ModelPrune.Engine.Diagnostics;

namespace ModelPrune.Engine.Calibration;

/// <summary>
/// Checks the arrays of one calibration file against the model's inputs: names, dtypes, ranks, fixed and
/// shared symbolic dimensions, and one sample count per file. Every message names the array, the file and
/// what the model expects, because the fix is always in the script that wrote the file.
/// </summary>
internal static class CalibrationArrayValidator
{
    /// <summary>
    /// The file's arrays in the model's input order; returns the file's sample count. Arrays for which
    /// <paramref name="isExtraArray"/> is true (evaluation labels) are left to the caller.
    /// </summary>
    public static int Validate(
        IReadOnlyDictionary<string, NpyArray> arrays,
        ModelInputSignature signature,
        string display,
        string file,
        Func<string, bool>? isExtraArray = null)
    {
        foreach (var name in arrays.Keys)
        {
            if (signature.Find(name) is null && isExtraArray?.Invoke(name) != true)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.CalibrationInputMismatch,
                    file,
                    $"Array '{name}' in '{display}' is not an input of the model; the model's inputs are {signature}. Name each array after the input it feeds, e.g. numpy.savez(path, {Example(signature)}).");
            }
        }

        foreach (var input in signature.Inputs)
        {
            if (!arrays.ContainsKey(input.Name))
            {
                var held = arrays.Count == 0 ? "no arrays" : "arrays " + string.Join(", ", arrays.Keys.Select(k => $"'{k}'"));
                throw new ModelPruneException(
                    DiagnosticCodes.CalibrationInputMismatch,
                    file,
                    $"'{display}' has no array for model input '{input.Name}' ({input.TypeText}); it holds {held}. The model's inputs are {signature}; save one array per input, named after it.");
            }
        }

        var symbols = new Dictionary<string, (long Size, string Array)>(StringComparer.Ordinal);
        int? samples = null;
        string? samplesFrom = null;
        foreach (var input in signature.Inputs)
        {
            var array = arrays[input.Name];
            CheckElementType(input, array, display, file);
            CheckShape(input, array, display, file, symbols);

            var count = array.Shape[0];
            if (samples is null)
            {
                samples = checked((int)count);
                samplesFrom = input.Name;
            }
            else if (count != samples)
            {
                throw new ModelPruneException(
                    DiagnosticCodes.CalibrationShapeMismatch,
                    file,
                    $"Arrays in '{display}' hold different sample counts (first axis): '{samplesFrom}' has {samples} but '{input.Name}' has {count}. Every array of one file must hold the same samples, one per index on the first axis.");
            }
        }

        return samples ?? 0;
    }

    /// <summary>Checks that a later file's array can be concatenated after the first file's along axis 0.</summary>
    public static void CheckConcatenable(NpyArray array, string name, string display, IReadOnlyList<long> firstShape, string firstDisplay, string file)
    {
        if (array.Shape.Skip(1).SequenceEqual(firstShape.Skip(1))) return;

        throw new ModelPruneException(
            DiagnosticCodes.CalibrationShapeMismatch,
            file,
            $"Array '{name}' in '{display}' has shape {NumpyShape(array.Shape)} but in '{firstDisplay}' it has {NumpyShape(firstShape)}; files are concatenated along the first (sample) axis, so all other axes must agree. Pad or crop the samples to one size.");
    }

    public static string NumpyShape(IReadOnlyList<long> shape) =>
        shape.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)")
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    private static void CheckElementType(ModelInput input, NpyArray array, string display, string file)
    {
        var expected = input.IsTensor ? CalibrationElementTypes.DTypeOf(input.ElementType) : null;
        if (expected is null)
        {
            throw new ModelPruneException(
                DiagnosticCodes.CalibrationDTypeMismatch,
                file,
                $"Model input '{input.Name}' is {input.ElementTypeName}, which calibration data cannot feed (array '{input.Name}' in '{display}'); calibration inputs must be tensors of {CalibrationElementTypes.SupportedNames()}.");
        }

        if (array.DType == expected) return;

        throw new ModelPruneException(
            DiagnosticCodes.CalibrationDTypeMismatch,
            file,
            $"Array '{input.Name}' in '{display}' has dtype {CalibrationElementTypes.DescribeDType(array.DType)} but model input '{input.Name}' is {input.TypeText}; save it as {input.ElementTypeName} ('{expected}'), e.g. array.astype(numpy.{NumpyTypeName(input.ElementTypeName)}). Calibration data is never converted, so that it is exactly what the model will be fed.");
    }

    private static void CheckShape(
        ModelInput input,
        NpyArray array,
        string display,
        string file,
        Dictionary<string, (long Size, string Array)> symbols)
    {
        var shape = array.Shape;
        if (input.Dimensions is { Count: 0 })
        {
            throw Shape(file, $"Model input '{input.Name}' is a scalar ({input.TypeText}), which has no sample axis to stack calibration samples on (array '{input.Name}' in '{display}'); calibrate with a model whose input has a batch axis.");
        }

        if (shape.Count == 0)
        {
            throw Shape(file, $"Array '{input.Name}' in '{display}' is a scalar but model input '{input.Name}' is {input.TypeText}; the first axis of every array must count the samples.");
        }

        if (input.Dimensions is not { } dims) return;

        if (shape.Count != dims.Count)
        {
            throw Shape(file, $"Array '{input.Name}' in '{display}' has shape {NumpyShape(shape)} ({shape.Count} axes) but model input '{input.Name}' is {input.TypeText} ({dims.Count} axes); the first axis counts the samples and the others must match the model's.");
        }

        // Axis 0 is the sample axis: any count is fine, even where the model fixes the batch size (the
        // runner then feeds batches of that size).
        for (var axis = 1; axis < dims.Count; axis++)
        {
            var dim = dims[axis];
            if (dim.Value is { } size && shape[axis] != size)
            {
                throw Shape(file, $"Array '{input.Name}' in '{display}' has shape {NumpyShape(shape)} but model input '{input.Name}' is {input.TypeText}: axis {axis} must be {size}, not {shape[axis]}.");
            }

            if (dim.Value is null && !string.IsNullOrEmpty(dim.Symbol))
            {
                if (symbols.TryGetValue(dim.Symbol, out var seen) && seen.Size != shape[axis])
                {
                    throw Shape(file, $"Array '{input.Name}' in '{display}' has {shape[axis]} on axis {axis} ('{dim.Symbol}') but array '{seen.Array}' has {seen.Size} for '{dim.Symbol}'; model input '{input.Name}' is {input.TypeText}, and inputs that share a named dimension must have one size for it.");
                }

                symbols[dim.Symbol] = (shape[axis], input.Name);
            }
        }

    }

    private static ModelPruneException Shape(string file, string message) =>
        new(DiagnosticCodes.CalibrationShapeMismatch, file, message);

    private static string NumpyTypeName(string elementTypeName) => elementTypeName == "bool" ? "bool_" : elementTypeName;

    private static string Example(ModelInputSignature signature) =>
        signature.Inputs.Count == 0 ? "..." : string.Join(", ", signature.Inputs.Select(i => $"{i.Name}=..."));
}
