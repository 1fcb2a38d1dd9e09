#!/usr/bin/python3
"""A small image classifier with an LSTM inside, for the ONNX Runtime Web backend.

Our engine refuses LSTM; ONNX Runtime Web runs it. The lab's explainers want an
image input, so this model takes [N,1,32,32]: a strided 3x3 convolution to
[N,4,16,16], the 16 rows read as a sequence of 64 features by an LSTM (hidden 8),
and a linear layer on the last hidden state to 2 classes. Random weights
(seeded): it is a plumbing test, not a classifier of anything.

Writes tests/ort/lstm_image/{model.onnx, input.npy, output.npy} (PyTorch's
output for the input, the reference ORT must match). Run with Debian's
python3-torch: /usr/bin/python3 tools/golden/make_lstm_image.py
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "ort", "lstm_image")


class ConvLstm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.lstm = torch.nn.LSTM(input_size=64, hidden_size=8, batch_first=True)
        self.fc = torch.nn.Linear(8, 2)

    def forward(self, x):
        h = torch.relu(self.conv(x))                        # [N,4,16,16]
        seq = h.permute(0, 2, 1, 3).reshape(x.shape[0], 16, 64)  # rows as time steps
        y, _ = self.lstm(seq)
        return self.fc(y[:, -1, :])                         # [N,2]


def main():
    torch.manual_seed(7)
    m = ConvLstm().eval()
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(2.0)  # larger weights so that occluding a region visibly moves the output
    os.makedirs(OUT, exist_ok=True)
    # A bright square on a dark background, in [0,1] like the lab's images.
    x = torch.zeros(1, 1, 32, 32)
    x[:, :, 8:20, 10:22] = 1.0
    x += 0.05 * torch.rand(1, 1, 32, 32, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        y = m(x)
    torch.onnx.export(m, x, os.path.join(OUT, "model.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    np.save(os.path.join(OUT, "input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, "output.npy"), y.numpy().astype(np.float32))
    print("wrote", OUT, "output", y.numpy())


if __name__ == "__main__":
    main()
