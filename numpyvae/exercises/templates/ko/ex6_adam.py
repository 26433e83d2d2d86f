"""연습 문제 6: Adam 한 step.

강의: VAE 학습, Eq. (6)의 loss를 최소화하기. 갱신 규칙은 Eq. (10)입니다.

step t = 1, 2, 3, ...에서 가중치 w의 기울기 g가 주어지면(원소별)::

    m  = b1 m + (1 - b1) g              기울기의 이동 평균(0에서 시작)
    v  = b2 v + (1 - b2) g^2            기울기 제곱의 이동 평균(0에서 시작)
    m^ = m / (1 - b1^t)                 bias correction: m과 v가 0에서 시작하므로
    v^ = v / (1 - b2^t)                 처음 평균이 너무 작은 것을 되돌립니다
    w  = w - lr m^ / (sqrt(v^) + eps)                                     Eq. (10)

``params``와 ``grads``는 이름을 배열로 잇는 mapping입니다(``{"encoder.0.W": ..., ...}``).
가중치마다 자기 shape의 m과 v가 있습니다.

힌트:
- step을 먼저 세세요: 첫 step에서 t는 1이므로 1 - b1^t는 0이 되지 않습니다. t는
  가중치가 아니라 step을 셉니다: step마다 한 번, 가중치 loop 전에 1을 더하세요.
- ``b1, b2 = self.betas``, 이 순서입니다: b1(0.9)은 m에, b2(0.999)는 v에 씁니다.
- m과 v는 step이 바뀌어도 ``self.m[name]``과 ``self.v[name]``에 삽니다. 가중치마다(이름으로:
  VAE에는 shape이 같은 가중치가 여럿 있습니다) 자기 shape의 한 쌍입니다. 다시 0으로
  시작하지 말고, 가중치끼리나 두 optimizer끼리 나눠 쓰지 마세요.
- 먼저 이번 step의 g로 m과 v를 갱신하고, 그다음 m^과 v^을 만드세요.
- eps는 제곱근 밖에 있습니다: sqrt(v^) + eps.
- 가중치를 *제자리에서* 갱신하세요(``w -= ...`` 또는 ``w[...] = ...``): 모델이 바로 그
  배열을 들고 있으므로, ``self.params[name]``에 묶은 새 배열은 모델에 닿지 않습니다.
- ``grads``의 배열은 바꾸지 마세요.
- 검사는 가중치 세 개, w (3, 4), b (4,), c (4,)로 세 step을 하고, optimizer 두 개를 나란히
  돌리고, float32로 한 번 더 합니다(가중치는 float32로 남아야 합니다).

여러분의 코드 검사(이 폴더에서, 또는 이 폴더가 있는 폴더에서)::

    numpyvae exercises check --only adam

풀어 본 뒤 library의 구현과 비교해 보세요: numpyvae/optim.py, ``Adam.update``
(Eq. (10)을 쓰인 그대로. 옆의 ``Adam.update_folded``는 두 보정을 step 크기에 접어 넣은 같은
step으로, 속도를 위한 것입니다).
"""

import numpy as np


class Adam:
    """Adam(Kingma and Ba, 2015), Eq. (10), 이름 붙은 배열의 dict에, 제자리에서."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {name: np.zeros_like(w) for name, w in params.items()}
        self.v = {name: np.zeros_like(w) for name, w in params.items()}
        self.t = 0  # 지금까지 한 step 수

    def step(self, grads):
        """``grads``(같은 이름)로 ``self.params``의 모든 가중치를 한 번 갱신합니다."""
        # 여러분의 코드: step을 세고, 이름마다: m, v, m^, v^, 그리고 w를 제자리에서.
        raise NotImplementedError("exercise 6: write Adam.step")
