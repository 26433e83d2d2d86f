"""연습 문제 1: Dense 계층 y = x W + b의 backward.

강의: 단계1 Encoder와 단계3 Decoder. Eq. (1)과 Eq. (3)은 Dense 계층을 쌓은 것,
h = act(x W + b)이므로 VAE의 모든 기울기(gradient)가 이 backward를 지나갑니다.

Forward(주어짐)::

    y = x W + b
    x: (N, in_dim)   W: (in_dim, out_dim)   b: (out_dim,)   y: (N, out_dim)

Backward(여러분의 몫). ``dout`` = dL/dy, shape (N, out_dim). 원소별로 쓰면
y[n, j] = sum_i x[n, i] W[i, j] + b[j]이므로 연쇄 법칙(chain rule)에서::

    dL/dx[n, i] = sum_j dout[n, j] W[i, j]       -> dx: (N, in_dim), x의 shape
    dL/dW[i, j] = sum_n x[n, i] dout[n, j]       -> dW: (in_dim, out_dim), W의 shape
    dL/db[j]    = sum_n dout[n, j]               -> db: (out_dim,), b의 shape

힌트:
- 공통 index에 대한 합 하나가 행렬 곱 하나입니다. 곱하는 항마다 shape을 적어 보세요.
  기울기는 언제나 미분하는 대상과 shape이 같고, 그것이 어느 항을 전치할지(``A.T``),
  어떤 순서로 곱할지를 알려 줍니다.
- b는 배치의 모든 행에 더해지므로 그 기울기는 배치 전체의 dout을 모읍니다: axis 0으로
  합합니다(평균이 아닙니다: 여기서 loss는 그냥 합입니다).
- dL/dW는 ``self.grads["W"]``에, dL/db는 ``self.grads["b"]``에 쓰고 dL/dx를 돌려주세요.
  그 mapping 안에 쓰세요(``self.grads["W"] = ...``). ``self.grads``에 새 dict를 묶으면
  안 됩니다: VAE에서는 모델이 계층에 그 mapping을 주고 거기서 읽습니다.
- 호출할 때마다 그 배치의 기울기를 씁니다(``+=``가 아니라 ``=``): 호출 사이에 아무도
  기울기를 지우지 않고, 검사는 두 배치로 backward를 두 번 부릅니다.
- ``dout``이나 ``self.x``를 제자리에서(in place) 바꾸지 마세요: 호출한 쪽이 아직 씁니다.
- dtype을 지키세요: float32 입력이면 기울기도 float32입니다(한 행이 float32로 검사합니다).
- matmul 오류는 어느 전치가 빠졌는지 알려 줍니다. ``(3, 4) @ (4, 5)``는 되고 ``(3, 4) @
  (5, 4)``는 안 됩니다.

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only dense
    numpyvae exercises check --only dense --reference    # 풀어 본 뒤: library와 비교

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/layers.py, ``Dense.backward``.
"""

import numpy as np


class Dense:
    """Affine 계층 ``y = x W + b``, W: (in_dim, out_dim), b: (out_dim,)."""

    def __init__(self, in_dim, out_dim, rng, init="he", dtype=np.float32):
        scale = np.sqrt(2.0 / in_dim) if init == "he" else np.sqrt(1.0 / in_dim)
        self.params = {
            "W": rng.normal(0.0, scale, size=(in_dim, out_dim)).astype(dtype),
            "b": np.zeros(out_dim, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.x = None

    def forward(self, x):
        """``x`` (N, in_dim) -> ``y = x W + b`` (N, out_dim). backward를 위해 x를 남겨 둡니다."""
        self.x = x
        return x @ self.params["W"] + self.params["b"]  # Eq. (1)

    def backward(self, dout):
        """``dout`` = dL/dy (N, out_dim) -> dL/dx (N, in_dim).

        ``self.grads["W"]`` (in_dim, out_dim)와 ``self.grads["b"]`` (out_dim,)도 채웁니다.
        """
        # 여러분의 코드: dW, db, dx(세 줄 정도), 그다음 `return dx`.
        raise NotImplementedError("exercise 1: write Dense.backward")
