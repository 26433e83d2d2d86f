"""연습 문제 2: ReLU y = max(x, 0)의 backward.

강의: 단계1 Encoder와 단계3 Decoder, Eq. (1)과 Eq. (3)의 activation function ``act``
(numpyvae의 기본값).

Forward(주어짐)::

    y = max(x, 0)          x, y: (N, D)

Backward(여러분의 몫). ``dout`` = dL/dy, shape (N, D). ReLU는 원소별로 작용하고

    dy/dx = x > 0이면 1,  x < 0이면 0,  정확히 x = 0이면 0

ReLU는 0에서 도함수가 없습니다([0, 1]의 어떤 값이든 됩니다). numpyvae는 거기서 0, 곧 mask
``x > 0``을 쓰고, 한 행이 바로 그것을 검사합니다. finite difference는 0에서 떨어진 곳에서만
잽니다.

따라서 연쇄 법칙으로, 원소별로::

    dL/dx[n, d] = x[n, d] > 0이면 dout[n, d],  아니면 0      -> dx: (N, D)

힌트:
- mask는 forward에서 옵니다: ``self.x > 0``(또는 출력의 ``y > 0``. ReLU에서는 같은
  mask입니다). ``dout``에서 오지 않습니다: 기울기는 unit이 켜졌던 곳에서, 자기 부호와
  상관없이 지나갑니다.
- ``x > 0``은 boolean 배열입니다. 곱하면 True는 1, False는 0이 됩니다.
- ``dout[mask] = 0``이라고 쓰지 마세요: 호출한 쪽의 ``dout``을 제자리에서 바꿉니다(많은
  NumPy ReLU의 함정). 새 배열을 돌려주세요.
- dtype을 지키세요: ``dout * mask``는 float32 입력에서 float32로 남지만, ``mask * 1.0``이나
  ``np.where(mask, 1.0, 0.0)``는 float64라서 결과를 float64로 만듭니다(한 행이 검사합니다).

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only relu

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/layers.py, ``ReLU.backward``.
"""

import numpy as np


class ReLU:
    """``y = max(x, 0)``. backward는 ``x > 0``인 곳에서 기울기를 통과시킵니다."""

    def __init__(self):
        self.params = {}  # parameter 없음
        self.grads = {}
        self.x = None

    def forward(self, x):
        """``x`` (N, D) -> ``max(x, 0)`` (N, D). backward를 위해 x를 남겨 둡니다."""
        self.x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        """``dout`` = dL/dy (N, D) -> dL/dx (N, D)."""
        # 여러분의 코드: 한 줄, `return ...`.
        raise NotImplementedError("exercise 2: write ReLU.backward")
