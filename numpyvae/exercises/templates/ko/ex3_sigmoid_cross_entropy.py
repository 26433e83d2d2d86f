"""연습 문제 3: sigmoid, 그리고 sigmoid와 cross entropy.

강의: 단계3 Decoder, p = sigmoid(logits), Eq. (3). Loss Function의 Reconstruction Error
Eq. (4)와 그 기울기 Eq. (9). 두 부분으로 되어 있습니다.

A 부분, ``Sigmoid.backward``. Forward(주어짐): p = sigmoid(x) = 1 / (1 + e^-x), 원소별,
x와 p: (N, D). 그 도함수::

    dp/dx = e^-x / (1 + e^-x)^2 = p (1 - p)
    dL/dx[n, d] = dout[n, d] * p[n, d] * (1 - p[n, d])          -> dx: (N, D)

B 부분, ``bernoulli_nll_grad``: Eq. (4)의 cross entropy를 *logits* l(sigmoid 앞의 decoder
출력)로 미분한 기울기. x는 [0, 1]의 정답 픽셀, 둘 다 (N, D)::

    L = sum_{n,d} -[x log p + (1 - x) log(1 - p)],   p = sigmoid(l)
    dL/dp = -x / p + (1 - x) / (1 - p) = (p - x) / (p (1 - p))
    dL/dl = dL/dp * dp/dl = (p - x) / (p (1 - p)) * p (1 - p)  =  ?       Eq. (9)

마지막 줄을 정리하세요: 그것이 B 부분의 전부이고, NumPy 한 줄, (N, D)입니다.

힌트:
- A 부분은 forward의 p(``self.p``)를 씁니다. backward에는 exp가 필요 없습니다.
- B 부분: sigmoid의 도함수 p (1 - p)가 dL/dp의 분모와 약분됩니다. p (1 - p)를 한 번 더
  곱하지 마세요: 그것은 A 부분의 일이고, ``bernoulli_nll``은 logits를 받으므로 sigmoid가
  이미 그 안에 있습니다.
- 아래의 ``sigmoid``는 주어진 것입니다. logits가 아무리 커도 overflow하지 않습니다.
- 여기서 loss는 픽셀과 예제에 대해 합입니다: 평균도, 1/N도 없습니다.
- sigmoid는 한 번만: ``self.p``는 이미 sigmoid(x)이고, B 부분의 p는 sigmoid(logits) 한
  번입니다.
- B 부분은 ``{"logits": ...}``를 돌려줍니다: numpyvae의 loss처럼 기울기는 그것이 속한 입력의
  이름을 key로 합니다. 계층의 ``grads``가 ``params``와 같은 key를 쓰는 것과 같습니다.
- dtype을 지키세요: float32 입력이면 기울기도 float32입니다(한 행이 float32로 검사합니다).

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only sigmoid

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/layers.py, ``Sigmoid.backward``,
그리고 numpyvae/losses.py, ``bernoulli_nll``.
"""

import numpy as np


def sigmoid(x):
    """``1 / (1 + exp(-x))``를 ``(1 + tanh(x / 2)) / 2``로 쓴 것: 값은 같고 overflow하지 않습니다."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Sigmoid:
    """``p = sigmoid(x)``. dp/dx = p (1 - p). Eq. (3): decoder의 마지막 activation."""

    def __init__(self):
        self.params = {}  # parameter 없음
        self.grads = {}
        self.p = None

    def forward(self, x):
        """``x`` (N, D) -> ``p = sigmoid(x)`` (N, D). backward를 위해 p를 남겨 둡니다."""
        self.p = sigmoid(x)
        return self.p

    def backward(self, dout):
        """``dout`` = dL/dp (N, D) -> dL/dx (N, D)."""
        # 여러분의 코드(A 부분): 한 줄, `return ...`.
        raise NotImplementedError("exercise 3: write Sigmoid.backward")


def bernoulli_nll(logits, x):
    """예제별 Eq. (4)와 그 기울기, numpyvae의 loss들이 돌려주는 형태 그대로:
    ``(nll (N,), {"logits": dlogits (N, D)})``. 주어짐.

    -[x log p + (1 - x) log(1 - p)] = softplus(l) - x l, softplus(l) = log(1 + e^l):
    log(0)을 계산하지 않도록 쓴 것입니다. 기울기는 아래, 여러분의 몫입니다.
    """
    softplus = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))  # (N, D)
    nll = np.sum(softplus - x * logits, axis=1)  # Eq. (4), 픽셀에 대해 합: (N,)
    return nll, bernoulli_nll_grad(logits, x)


def bernoulli_nll_grad(logits, x):
    """Eq. (9): ``{"logits": d(nll의 합)/dlogits}``. ``logits``, ``x``: (N, D) -> (N, D)."""
    # 여러분의 코드(B 부분): 한 줄, `return {"logits": ...}`.
    raise NotImplementedError("exercise 3: write bernoulli_nll_grad")
